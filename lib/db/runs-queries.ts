// Run history queries: the filtered, searchable, cursor-paginated runs list, its CSV export
// (streamed page by page, never loaded whole), and the run detail with truncated payloads.
// Raw SQL because search over the input JSON and "step exists" filters differ per provider.
import { z } from "zod";
import { conversationFromSteps } from "../engine/conversation";
import type { Db } from "./client";
import { num, numOrNull, parseJsonColumn, query, SqlBuilder, toDate } from "./history-sql";
import { userNames } from "./users";

export const RUN_STATUSES = ["queued", "running", "waiting", "succeeded", "failed", "cancelled"] as const;
export const RUN_TRIGGERS = [
  "manual",
  "api",
  "cli",
  "webhook",
  "schedule",
  "chat",
  "subworkflow",
  "retry",
  "rerun",
  "mcp",
  "a2a",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const csvList = <T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess((v) => (typeof v === "string" ? v.split(",").filter(Boolean) : v), z.array(z.enum(values)).optional());
const optionalString = z.preprocess((v) => (v === "" || v === null ? undefined : v), z.string().max(200).optional());
const optionalDate = z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.date().optional());
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** "to" as a plain day (a date input) means through the end of that day. */
const optionalEndDate = z.preprocess((v) => {
  if (v === "" || v === null) return undefined;
  if (typeof v === "string" && DAY.test(v)) return new Date(Date.parse(`${v}T00:00:00Z`) + 86_400_000);
  return v;
}, z.coerce.date().optional());

/** Filters of the runs list; the same names are the URL search parameters of /runs. */
export const RunsFilterSchema = z.object({
  workflowId: optionalString,
  status: csvList(RUN_STATUSES),
  trigger: csvList(RUN_TRIGGERS),
  /** created at or after (inclusive) */
  from: optionalDate,
  /** created before (exclusive); a plain day "YYYY-MM-DD" includes that whole day */
  to: optionalEndDate,
  costAbove: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number().min(0).optional()),
  waitingOnPerson: z.preprocess(
    (v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v === "" ? undefined : v),
    z.boolean().optional(),
  ),
  startedById: optionalString,
  /** runs with a step of this node id (dashboard "by agent node" links) */
  nodeId: optionalString,
  /** runs with a failed step of this node id (dashboard "nodes that fail most" links) */
  failedNodeId: optionalString,
  /** runs with a step that used this model */
  model: optionalString,
  /** run id (exact or prefix) or text inside the input */
  q: optionalString,
});
export type RunsFilter = z.infer<typeof RunsFilterSchema>;

export interface RunListItem {
  id: string;
  workflowId: string;
  workflowName: string;
  version: number;
  trigger: string;
  status: string;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  stepCount: number;
  waitingOnPerson: boolean;
  startedById: string | null;
  startedByName: string | null;
  retryOfRunId: string | null;
}

export interface RunsPage {
  items: RunListItem[];
  nextCursor: string | null;
}

export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const [iso, id] = text.split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime()))
    throw new z.ZodError([{ code: "custom", path: ["cursor"], message: "Invalid cursor", input: cursor }]);
  return { createdAt, id };
}

/** WHERE clause (without the keyword) for a workspace's runs matching the filter. Alias: r. */
export function runsWhere(b: SqlBuilder, workspaceId: string, f: RunsFilter): string {
  const w: string[] = [`r."workspaceId" = ${b.p(workspaceId)}`];
  if (f.workflowId) w.push(`r."workflowId" = ${b.p(f.workflowId)}`);
  if (f.status?.length) w.push(`r."status" IN (${f.status.map((s) => b.p(s)).join(", ")})`);
  if (f.trigger?.length) w.push(`r."trigger" IN (${f.trigger.map((s) => b.p(s)).join(", ")})`);
  if (f.from) w.push(`r."createdAt" >= ${b.ts(f.from)}`);
  if (f.to) w.push(`r."createdAt" < ${b.ts(f.to)}`);
  if (f.costAbove !== undefined) w.push(`r."costUsd" > ${b.p(f.costAbove)}`);
  if (f.waitingOnPerson !== undefined) w.push(`r."waitingOnPerson" = ${b.bool(f.waitingOnPerson)}`);
  if (f.startedById) w.push(`r."startedById" = ${b.p(f.startedById)}`);
  if (f.nodeId)
    w.push(`EXISTS (SELECT 1 FROM ${b.t("Step")} s WHERE s."runId" = r."id" AND s."nodeId" = ${b.p(f.nodeId)})`);
  if (f.failedNodeId) {
    w.push(
      `EXISTS (SELECT 1 FROM ${b.t("Step")} s WHERE s."runId" = r."id" AND s."nodeId" = ${b.p(f.failedNodeId)} AND s."status" = 'failed')`,
    );
  }
  if (f.model)
    w.push(`EXISTS (SELECT 1 FROM ${b.t("Step")} s WHERE s."runId" = r."id" AND s."model" = ${b.p(f.model)})`);
  if (f.q) {
    const q = f.q.trim();
    const needle = b.p(q.toLowerCase());
    const prefix = `${q.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    w.push(
      `(r."id" = ${b.p(q)} OR r."id" LIKE ${b.p(prefix)} ESCAPE '\\' OR ${b.contains(b.jsonText(`r."input"`), needle)})`,
    );
  }
  return w.join(" AND ");
}

const LIST_COLUMNS = `r."id", r."workflowId", wf."name" AS "workflowName", v."version", r."trigger", r."status",
  r."createdAt", r."startedAt", r."endedAt", r."durationMs", r."inputTokens", r."outputTokens", r."costUsd",
  r."stepCount", r."waitingOnPerson", r."startedById", u."name" AS "startedByName", r."retryOfRunId"`;
const listJoins = (b: SqlBuilder) => `JOIN ${b.t("Workflow")} wf ON wf."id" = r."workflowId"
  JOIN ${b.t("WorkflowVersion")} v ON v."id" = r."workflowVersionId"
  LEFT JOIN ${b.t("User")} u ON u."id" = r."startedById"`;

function toListItem(row: Record<string, unknown>): RunListItem {
  return {
    id: String(row.id),
    workflowId: String(row.workflowId),
    workflowName: String(row.workflowName),
    version: num(row.version),
    trigger: String(row.trigger),
    status: String(row.status),
    createdAt: toDate(row.createdAt)!,
    startedAt: toDate(row.startedAt),
    endedAt: toDate(row.endedAt),
    durationMs: numOrNull(row.durationMs),
    inputTokens: num(row.inputTokens),
    outputTokens: num(row.outputTokens),
    costUsd: num(row.costUsd),
    stepCount: num(row.stepCount),
    waitingOnPerson: row.waitingOnPerson === true || num(row.waitingOnPerson) === 1,
    startedById: (row.startedById as string | null) ?? null,
    startedByName: (row.startedByName as string | null) ?? null,
    retryOfRunId: (row.retryOfRunId as string | null) ?? null,
  };
}

/** One page of runs, newest first, keyset-paginated on (createdAt, id). */
export async function listRuns(
  db: Db,
  workspaceId: string,
  filter: RunsFilter,
  opts: { cursor?: string | null; limit?: number } = {},
): Promise<RunsPage> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
  const b = new SqlBuilder(db);
  let where = runsWhere(b, workspaceId, filter);
  if (opts.cursor) {
    const c = decodeCursor(opts.cursor);
    const at = b.ts(c.createdAt);
    where += ` AND (r."createdAt" < ${at} OR (r."createdAt" = ${b.ts(c.createdAt)} AND r."id" < ${b.p(c.id)}))`;
  }
  const sql = `SELECT ${LIST_COLUMNS} FROM ${b.t("Run")} r ${listJoins(b)}
    WHERE ${where} ORDER BY r."createdAt" DESC, r."id" DESC LIMIT ${limit + 1}`;
  const rows = (await query(db, b, sql)).map(toListItem);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

export async function countRuns(db: Db, workspaceId: string, filter: RunsFilter): Promise<number> {
  const b = new SqlBuilder(db);
  const rows = await query<{ n: unknown }>(
    db,
    b,
    `SELECT COUNT(*) AS n FROM ${b.t("Run")} r WHERE ${runsWhere(b, workspaceId, filter)}`,
  );
  return num(rows[0]?.n);
}

export const CSV_COLUMNS = [
  "id",
  "workflow",
  "version",
  "trigger",
  "status",
  "createdAt",
  "startedAt",
  "endedAt",
  "durationMs",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "stepCount",
  "waitingOnPerson",
  "startedBy",
] as const;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const s = value instanceof Date ? value.toISOString() : String(value);
  // Quote when needed; neutralise spreadsheet formulas (CSV injection) with a leading quote.
  const safe = /^[=+\-@\t\r]/.test(s) && Number.isNaN(Number(s)) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvRow(r: RunListItem): string {
  return [
    r.id,
    r.workflowName,
    r.version,
    r.trigger,
    r.status,
    r.createdAt,
    r.startedAt,
    r.endedAt,
    r.durationMs,
    r.inputTokens,
    r.outputTokens,
    r.costUsd,
    r.stepCount,
    r.waitingOnPerson,
    r.startedByName ?? r.startedById,
  ]
    .map(csvCell)
    .join(",");
}

/** CSV of every run matching the filter, produced page by page (constant memory). */
export async function* exportRunsCsv(
  db: Db,
  workspaceId: string,
  filter: RunsFilter,
  pageSize = 1000,
): AsyncGenerator<string> {
  yield `${CSV_COLUMNS.join(",")}\n`;
  let cursor: string | null = null;
  do {
    const page: RunsPage = await listRuns(db, workspaceId, filter, { cursor, limit: pageSize });
    if (page.items.length) yield `${page.items.map(csvRow).join("\n")}\n`;
    cursor = page.nextCursor;
  } while (cursor);
}

// ---------------------------------------------------------------------------------------------
// Run detail

/** Payloads above this many characters are sent as a preview with a download link. */
export const PAYLOAD_PREVIEW_CHARS = 4000;

export interface Payload {
  /** the value itself when small; null when truncated */
  value: unknown;
  /** JSON text preview when truncated */
  preview: string | null;
  truncated: boolean;
  size: number;
}

export function toPayload(raw: unknown, limit = PAYLOAD_PREVIEW_CHARS): Payload {
  const value = parseJsonColumn(raw);
  if (value === null || value === undefined) return { value: null, preview: null, truncated: false, size: 0 };
  const text = JSON.stringify(value, null, 2) ?? "";
  if (text.length <= limit) return { value, preview: null, truncated: false, size: text.length };
  return { value: null, preview: text.slice(0, limit), truncated: true, size: text.length };
}

export interface StepDetail {
  id: string;
  nodeId: string;
  nodeType: string;
  visit: number;
  attempt: number;
  status: string;
  idempotencyKey: string;
  input: Payload;
  output: Payload;
  error: Payload;
  model: string | null;
  simulated: boolean;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  endedAt: Date | null;
  durationMs: number | null;
  /** copied from the failed run by "retry from failed step": not run again, usage not counted */
  reused: boolean;
  /** false when the caller asked for this step's payloads not to be loaded */
  payloadsLoaded: boolean;
}

export interface ApprovalDetail {
  id: string;
  nodeId: string;
  visit: number;
  kind: string;
  title: string;
  status: string;
  createdAt: Date;
  decidedAt: Date | null;
  decidedById: string | null;
  decidedByName: string | null;
  decision: unknown;
  deadlineAt: Date | null;
}

export interface ConversationMessage {
  role: string;
  content: string;
  nodeId?: string;
  name?: string;
  [key: string]: unknown;
}

export interface RunDetail {
  run: RunListItem & {
    workflowVersionId: string;
    input: Payload;
    output: Payload;
    error: Payload;
    parentRunId: string | null;
    /** seq of the last event (live pages subscribe after it) */
    lastSeq: number;
    latestVersion: number;
    latestVersionId: string | null;
  };
  steps: StepDetail[];
  approvals: ApprovalDetail[];
  conversation: ConversationMessage[];
  handoffs: { from: string; to: string; reason: string | null; at: string | null }[];
  /** runs that retried or re-ran this one */
  children: { id: string; trigger: string; status: string; createdAt: Date }[];
}

/** The run's conversation, rebuilt from its steps the way the engine does. */
function extractConversation(steps: readonly { status: string; input: unknown }[]): ConversationMessage[] {
  const list: unknown[] = conversationFromSteps(steps);
  return list
    .filter((m): m is Record<string, unknown> => !!m && typeof m === "object")
    .map((m) => ({
      ...m,
      role: String(m.role ?? "assistant"),
      content: typeof m.content === "string" ? m.content : JSON.stringify(m.content ?? ""),
    }));
}

function extractHandoffs(state: unknown, events: { type: string; data: unknown; createdAt: unknown }[]) {
  const out: RunDetail["handoffs"] = [];
  for (const e of events) {
    if (!/handoff/i.test(e.type)) continue;
    const d = (parseJsonColumn(e.data) ?? {}) as Record<string, unknown>;
    out.push({
      from: String(d.from ?? d.nodeId ?? "?"),
      to: String(d.to ?? d.target ?? "?"),
      reason: typeof d.reason === "string" ? d.reason : null,
      at: toDate(e.createdAt)?.toISOString() ?? null,
    });
  }
  if (out.length) return out;
  const s = parseJsonColumn(state) as { handoffs?: unknown } | null;
  if (s && Array.isArray(s.handoffs)) {
    for (const h of s.handoffs as Record<string, unknown>[]) {
      out.push({
        from: String(h.from ?? "?"),
        to: String(h.to ?? "?"),
        reason: typeof h.reason === "string" ? h.reason : null,
        at: typeof h.at === "string" ? h.at : null,
      });
    }
  }
  return out;
}

/**
 * The run page's data. `stepPayloads` chooses whose input/output/error are loaded: "all" (API,
 * compare, telemetry) or a predicate over the light step rows (the page loads only the selected
 * step's attempts, so a 500-step run does not parse 1,500 JSON payloads it will not show).
 */
export async function getRunDetail(
  db: Db,
  workspaceId: string,
  runId: string,
  opts: {
    stepPayloads?: "all" | ((steps: { id: string; nodeId: string; visit: number; status: string }[]) => string[]);
  } = {},
): Promise<RunDetail | null> {
  const b = new SqlBuilder(db);
  const rows = await query(
    db,
    b,
    `SELECT ${LIST_COLUMNS}, r."workflowVersionId", r."input", r."output", r."error", r."state", r."parentRunId", r."lastSeq"
     FROM ${b.t("Run")} r ${listJoins(b)} WHERE r."workspaceId" = ${b.p(workspaceId)} AND r."id" = ${b.p(runId)}`,
  );
  const row = rows[0];
  if (!row) return null;
  const p = db.prisma;
  const [steps, approvals, events, latest, children, agentInputs] = await Promise.all([
    p.step.findMany({
      where: { runId },
      orderBy: [{ startedAt: "asc" }, { nodeId: "asc" }, { attempt: "asc" }],
      select: {
        id: true,
        nodeId: true,
        nodeType: true,
        visit: true,
        attempt: true,
        status: true,
        idempotencyKey: true,
        model: true,
        simulated: true,
        inputTokens: true,
        outputTokens: true,
        costUsd: true,
        startedAt: true,
        endedAt: true,
        durationMs: true,
      },
    }),
    p.approval.findMany({ where: { runId }, orderBy: { createdAt: "asc" } }),
    p.runEvent.findMany({
      where: { runId, type: { contains: "handoff" } },
      orderBy: { seq: "asc" },
      select: { type: true, data: true, createdAt: true },
    }),
    p.workflowVersion.findFirst({
      where: { workflowId: String(row.workflowId), draft: false },
      orderBy: { version: "desc" },
      select: { id: true, version: true },
    }),
    p.run.findMany({
      // Retries and re-runs point back through retryOfRunId (a partial index: only rows that
      // have one); they are created after the run, hence the createdAt bound.
      where: { retryOfRunId: runId, workspaceId, createdAt: { gte: toDate(row.createdAt)! } },
      orderBy: { createdAt: "desc" },
      select: { id: true, trigger: true, status: true, createdAt: true },
      take: 20,
    }),
    // agents are the steps that add to the conversation (it lives on their rows, not in run.state)
    p.step.findMany({
      where: { runId, nodeType: "agent", status: "succeeded" },
      select: { status: true, input: true },
    }),
  ]);
  const wanted =
    opts.stepPayloads === undefined || opts.stepPayloads === "all" ? null : new Set(opts.stepPayloads(steps));
  const payloadRows = await p.step.findMany({
    where: wanted ? { runId, id: { in: [...wanted] } } : { runId },
    select: { id: true, input: true, output: true, error: true },
  });
  const payloads = new Map(payloadRows.map((r) => [r.id, r]));
  const none = toPayload(null);
  const deciderName = await userNames(
    p,
    approvals.map((a) => a.decidedById),
  );
  return {
    run: {
      ...toListItem(row),
      workflowVersionId: String(row.workflowVersionId),
      input: toPayload(row.input),
      output: toPayload(row.output),
      error: toPayload(row.error),
      parentRunId: (row.parentRunId as string | null) ?? null,
      lastSeq: num(row.lastSeq),
      latestVersion: latest?.version ?? num(row.version),
      latestVersionId: latest?.id ?? null,
    },
    steps: steps.map((s) => ({
      id: s.id,
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      visit: s.visit,
      attempt: s.attempt,
      status: s.status,
      idempotencyKey: s.idempotencyKey,
      input: payloads.has(s.id) ? toPayload(payloads.get(s.id)!.input) : none,
      output: payloads.has(s.id) ? toPayload(payloads.get(s.id)!.output) : none,
      error: payloads.has(s.id) ? toPayload(payloads.get(s.id)!.error) : none,
      payloadsLoaded: payloads.has(s.id),
      model: s.model,
      simulated: s.simulated,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      costUsd: s.costUsd,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      durationMs: s.durationMs,
      // Retry copies keep the idempotency key of the run that paid for them.
      reused: row.retryOfRunId != null && !s.idempotencyKey.startsWith(`${runId}:`),
    })),
    approvals: approvals.map((a) => ({
      id: a.id,
      nodeId: a.nodeId,
      visit: a.visit,
      kind: a.kind,
      title: a.title,
      status: a.status,
      createdAt: a.createdAt,
      decidedAt: a.decidedAt,
      decidedById: a.decidedById,
      decidedByName: a.decidedById ? (deciderName.get(a.decidedById) ?? null) : null,
      decision: a.decision,
      deadlineAt: a.deadlineAt,
    })),
    conversation: extractConversation(agentInputs),
    handoffs: extractHandoffs(row.state, events),
    children,
  };
}

/** The full value of one payload (run input/output/error or a step's), for the download link. */
export async function getPayload(
  db: Db,
  workspaceId: string,
  runId: string,
  target: { stepId?: string; field: "input" | "output" | "error" },
): Promise<unknown | undefined> {
  if (target.stepId) {
    const step = await db.prisma.step.findFirst({
      where: { id: target.stepId, runId, workspaceId },
      select: { input: true, output: true, error: true },
    });
    return step ? step[target.field] : undefined;
  }
  const run = await db.prisma.run.findFirst({
    where: { id: runId, workspaceId },
    select: { input: true, output: true, error: true },
  });
  return run ? run[target.field] : undefined;
}

/** Workflows of the workspace for the filter menu (deleted ones too: their runs still exist). */
export async function listWorkflowOptions(db: Db, workspaceId: string): Promise<{ id: string; name: string }[]> {
  return db.prisma.workflow.findMany({
    where: { workspaceId },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
    take: 500,
  });
}

export async function userName(db: Db, userId: string): Promise<string | null> {
  const u = await db.prisma.user.findUnique({ where: { id: userId }, select: { name: true, email: true } });
  return u ? u.name || u.email : null;
}
