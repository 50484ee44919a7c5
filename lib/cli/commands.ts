// The `switchboard` commands. Each returns its exit code; bad input throws CliError before any
// run (or workflow version) is written. See docs/cli.md.
import { hostname } from "node:os";
import {
  type Issue,
  isApprovalNotPendingError,
  isEngineError,
  isInputValidationError,
  isInvalidWorkflowError,
} from "@/lib/contracts/errors";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import { recordAudit } from "../db/audit";
import { workspaceSeparationOfDuties } from "../db/separation";
import { cliWorkspace, pinDocumentVersion } from "../db/workflows-store";
import { createIdGenerator } from "../engine/clock";
import type { RunResult } from "../engine/types";
import type { DatabaseTarget } from "../env";
import { createHost, type Host } from "../host";
import { expireDeadExecutorLeases } from "../runtime/recovery";
import { startWorkflowRun } from "../use-cases/runs/start";
import { inputDefaults } from "../workflow/input-defaults";
import { validateWorkflow } from "../workflow/validate";
import { validateRunInput } from "../workflow/validate-document";
import { approvalView, exitCodeFor, formatApprovals, formatRunResult } from "./format";
import { CliError, type CliIo, EXIT, formatIssues, parseJson, readJsonArgument, readTextFile } from "./io";

export interface CliContext {
  io: CliIo;
  /** Database to use (default: DATABASE_URL / the embedded SQLite file). */
  target?: DatabaseTarget;
  /**
   * Registers a cleanup for Ctrl-C / SIGTERM (the engine's shutdown: interrupted runs stay
   * recoverable). `graceful`: the command's normal way to stop, so the process exits 0, not 130.
   */
  onInterrupt?: (cleanup: () => Promise<void>, options?: { graceful?: boolean }) => void;
}

const printJson = (io: CliIo, value: unknown) => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

/**
 * Creates this command's host (lib/host.ts: data directory, migrations, the demo seed on an
 * empty database, the engine) and closes it afterwards. Nothing runs in the background
 * but, on PostgreSQL, the event relay (announcing this process's commits and streamed tokens).
 */
async function withHost<T>(ctx: CliContext, fn: (host: Host) => Promise<T>): Promise<T> {
  const host = await createHost({ role: "cli", target: ctx.target, log: (line) => ctx.io.stderr(`${line}\n`) });
  ctx.onInterrupt?.(() => host.close());
  // PostgreSQL: announce what this command commits (and the tokens its runs stream) to the web
  // servers' event streams at once (lib/runtime/event-relay.ts)
  if (host.db.provider === "postgresql") await host.start({ relay: { publish: true, listen: false } });
  try {
    return await fn(host);
  } finally {
    await host.close();
  }
}

/** Engine refusals that are the caller's fault become CliErrors with the right exit code. */
function asCliError(error: unknown): unknown {
  if (isInvalidWorkflowError(error) || isInputValidationError(error))
    return new CliError(error.message, EXIT.badInput, error.issues);
  if (isEngineError(error) && error.code === "not_found") return new CliError(error.message, EXIT.badInput);
  if (isApprovalNotPendingError(error)) return new CliError(error.message, EXIT.failed);
  return error;
}

// ------------------------------------------------------------------ validate

export interface ValidateOutput {
  valid: boolean;
  errors: Issue[];
}

export async function validateCommand(ctx: CliContext, file: string, opts: { json?: boolean }): Promise<number> {
  const text = readTextFile(file, "workflow file");
  let out: ValidateOutput;
  try {
    const result = validateWorkflow(parseJson(text, file));
    out = { valid: result.valid, errors: result.issues.map(({ path, message }) => ({ path, message })) };
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    out = { valid: false, errors: [{ path: "", message: error.message }] };
  }
  if (opts.json) printJson(ctx.io, out);
  else if (out.valid) ctx.io.stdout(`${file}: valid\n`);
  else
    ctx.io.stdout(
      `${file}: ${out.errors.length} problem${out.errors.length === 1 ? "" : "s"}\n${formatIssues(out.errors)}`,
    );
  return out.valid ? EXIT.ok : EXIT.failed;
}

// ------------------------------------------------------------------ run

/** Reads and checks a workflow file and a run input; throws CliError (exit 2) on any problem. */
export function loadRunnable(
  file: string,
  inputArg: string | undefined,
): { document: WorkflowDocument; input: unknown } {
  const raw = parseJson(readTextFile(file, "workflow file"), file);
  const checked = validateWorkflow(raw);
  if (!checked.valid)
    throw new CliError(
      `${file} is not a valid workflow (${checked.issues.length} problem(s)):`,
      EXIT.badInput,
      checked.issues,
    );
  // Without --input: the defaults of the input schema (what the run dialog pre-fills), else {}.
  const input = inputArg === undefined ? inputDefaults(checked.document.input) : readJsonArgument(inputArg, "--input");
  const issues = validateRunInput(checked.document, input);
  if (issues.length > 0)
    throw new CliError("The input does not match the workflow's input schema:", EXIT.badInput, issues);
  return { document: checked.document, input };
}

export async function runCommand(
  ctx: CliContext,
  file: string,
  opts: { input?: string; json?: boolean },
): Promise<number> {
  const { document, input } = loadRunnable(file, opts.input);
  return withHost(ctx, async (host) => {
    const workspace = await cliWorkspace(host.db);
    const pinned = await pinDocumentVersion(host.db, { workspaceId: workspace.id, document, note: `CLI: ${file}` });
    // The one start path (lib/use-cases/runs/start.ts): the same audit entry as every trigger;
    // the CLI waits for the run here instead of handing it to a dispatcher.
    let result: RunResult;
    try {
      const started = await startWorkflowRun(
        host,
        { workspaceId: workspace.id, actor: { label: "cli" }, startedById: null },
        {
          trigger: "cli",
          source: {
            kind: "version",
            workflowId: pinned.workflowId,
            workflowVersionId: pinned.workflowVersionId,
            version: pinned.version,
            document,
          },
          input,
          runId: createIdGenerator().id("run"),
          triggerData: { file },
          summary: () => `Started a run of "${document.name}" v${pinned.version} from the command line (${hostname()})`,
          execution: "wait",
        },
      );
      result = started.result as RunResult;
    } catch (error) {
      throw asCliError(error);
    }
    if (opts.json) printJson(ctx.io, result);
    else ctx.io.stdout(formatRunResult(result));
    return exitCodeFor(result.status);
  });
}

// ------------------------------------------------------------------ approvals, decide

export async function approvalsCommand(ctx: CliContext, opts: { run?: string; json?: boolean }): Promise<number> {
  return withHost(ctx, async (host) => {
    const list = (await host.store.listApprovals({ status: "pending", ...(opts.run ? { runId: opts.run } : {}) })).map(
      approvalView,
    );
    if (opts.json) printJson(ctx.io, list);
    else ctx.io.stdout(formatApprovals(list));
    return EXIT.ok;
  });
}

export async function decideCommand(
  ctx: CliContext,
  approvalId: string,
  decision: string,
  opts: { comment?: string; data?: string; json?: boolean },
): Promise<number> {
  if (decision !== "approve" && decision !== "reject")
    throw new CliError(`The decision must be "approve" or "reject", not "${decision}".`);
  const data = opts.data === undefined ? undefined : readJsonArgument(opts.data, "--data");
  return withHost(ctx, async (host) => {
    const approval = await host.store.getApproval(approvalId);
    if (!approval) throw new CliError(`There is no approval with id ${approvalId}.`);
    // The command line decides as no member in particular, so it cannot prove it is not the run's
    // starter or publisher: with separation of duties on, a member decides (inbox, API, link).
    if (await workspaceSeparationOfDuties(host.db, approval.workspaceId))
      throw new CliError(
        "This workspace requires separation of duties: decide in the inbox, with a signed link or with a member's API key, not from the command line.",
      );
    let result: RunResult;
    try {
      result = await host.engine.decide(approvalId, { decision, comment: opts.comment ?? null, data, by: "cli" });
    } catch (error) {
      throw asCliError(error);
    }
    await recordAudit(host.db, {
      workspaceId: approval.workspaceId,
      actor: { label: "cli" },
      action: "approval.decided",
      targetType: "approval",
      targetId: approvalId,
      summary: `${decision === "approve" ? "Approved" : "Rejected"} "${approval.title}" from the command line`,
      data: { runId: approval.runId, decision, comment: opts.comment ?? null, edited: data !== undefined },
    }).catch((error: unknown) => ctx.io.stderr(`warning: the audit entry was not written: ${String(error)}\n`));
    if (opts.json) printJson(ctx.io, result);
    else ctx.io.stdout(formatRunResult(result));
    return exitCodeFor(result.status);
  });
}

// ------------------------------------------------------------------ runs show, recover

export async function runsShowCommand(ctx: CliContext, runId: string, opts: { json?: boolean }): Promise<number> {
  return withHost(ctx, async (host) => {
    const result = await host.engine.getResult(runId);
    if (!result) throw new CliError(`There is no run with id ${runId}.`);
    if (opts.json) printJson(ctx.io, result);
    else ctx.io.stdout(formatRunResult(result));
    return EXIT.ok;
  });
}

/**
 * Carries on what a crash or a pause left behind: runs past their deadline are failed (reaper),
 * approvals past theirs get their onTimeout, interrupted runs and decided-but-not-continued runs
 * are resumed. Prints every run it touched.
 */
export async function recoverCommand(ctx: CliContext, opts: { json?: boolean }): Promise<number> {
  return withHost(ctx, async (host) => {
    const expired = await expireDeadExecutorLeases(host.db);
    if (expired.length && !opts.json)
      ctx.io.stderr(`Took over ${expired.length} run(s) whose executor on this machine is gone.\n`);
    const byRun = new Map<string, RunResult>();
    for (const r of await host.engine.reap()) byRun.set(r.runId, r);
    for (const r of await host.engine.expireApprovals()) byRun.set(r.runId, r);
    for (const r of await host.engine.recover()) byRun.set(r.runId, r);
    const results = [...byRun.values()];
    if (opts.json) printJson(ctx.io, results);
    else if (results.length === 0) ctx.io.stdout("Nothing to recover.\n");
    else ctx.io.stdout(results.map(formatRunResult).join("\n"));
    return EXIT.ok;
  });
}
