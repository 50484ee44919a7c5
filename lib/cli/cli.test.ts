// The `switchboard` commands in-process (main() with captured output) on a fresh SQLite file per
// test: exit codes, --json shapes, bad input that creates nothing, the approval flow, audit.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RunResult } from "../engine/types";
import { CHAIN_3, FAILING, HITL_DOCUMENT, WITH_INPUT } from "./fixtures";
import { freshSqliteCli } from "./testing";

// Every test gets a fresh database.
const sqlite = freshSqliteCli("switchboard-cli-");
const { cli } = sqlite;

function file(name: string, content: unknown): string {
  const path = join(sqlite.dir, name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  return path;
}

async function counts() {
  const check = await sqlite.db();
  const [runs, versions, workflows] = await Promise.all([
    check.prisma.run.count(),
    check.prisma.workflowVersion.count(),
    check.prisma.workflow.count(),
  ]);
  return { runs, versions, workflows };
}

describe("switchboard validate", () => {
  it("exits 0 for a valid workflow and prints {valid, errors}", async () => {
    const r = await cli("validate", file("ok.json", CHAIN_3), "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toEqual({ valid: true, errors: [] });
    const text = await cli("validate", file("ok.json", CHAIN_3));
    expect(text.stdout).toContain("valid");
  });

  it("exits 1 listing every problem with its path", async () => {
    const broken = {
      ...CHAIN_3,
      nodes: CHAIN_3.nodes.filter((n) => n.type !== "trigger"),
      edges: [...CHAIN_3.edges, { source: "a1", target: "nowhere" }],
    };
    const r = await cli("validate", file("bad.json", broken), "--json");
    expect(r.code).toBe(1);
    const out = r.json();
    expect(out.valid).toBe(false);
    expect(out.errors.length).toBeGreaterThanOrEqual(2);
    for (const e of out.errors) expect(Object.keys(e).sort()).toEqual(["message", "path"]);
    expect(out.errors.some((e: { path: string }) => e.path.startsWith("edges["))).toBe(true);
  });

  it("treats a file that is not JSON as invalid (exit 1) and says where", async () => {
    const r = await cli(
      "validate",
      file("notjson.json", '{ "format": "switchboard.workflow/v1",\n  "name": }'),
      "--json",
    );
    expect(r.code).toBe(1);
    expect(r.json().errors[0].message).toMatch(/not valid JSON at line 2/);
  });

  it("exits 2 when the file cannot be read", async () => {
    const r = await cli("validate", join(sqlite.dir, "missing.json"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/missing\.json: it does not exist/);
  });

  it("exits 2 on usage errors", async () => {
    expect((await cli("validate")).code).toBe(2);
    expect((await cli("frobnicate")).code).toBe(2);
    expect((await cli("--help")).code).toBe(0);
  });
});

describe("switchboard run", () => {
  it("runs to the end: exit 0 and the spec's run result", async () => {
    const r = await cli("run", file("chain.json", CHAIN_3), "--json");
    expect(r.code, r.stderr).toBe(0);
    const result: RunResult = r.json();
    expect(result.status).toBe("succeeded");
    expect(Object.keys(result).sort()).toEqual(["approvals", "error", "output", "runId", "status", "steps", "usage"]);
    expect(result.steps.map((s) => s.nodeId)).toEqual(["start", "a1", "a2", "a3", "done"]);
    expect(result.steps[1]).toMatchObject({ visit: 1, attempt: 1, status: "succeeded" });
    expect(Object.keys(result.usage).sort()).toEqual(["costUsd", "inputTokens", "outputTokens"]);
    expect(await counts()).toEqual({ runs: 1, versions: 1, workflows: 1 });
  });

  it("reuses one version for the same document and adds one when it changes", async () => {
    const path = file("chain.json", CHAIN_3);
    await cli("run", path);
    await cli("run", path);
    expect(await counts()).toEqual({ runs: 2, versions: 1, workflows: 1 });
    file("chain.json", { ...CHAIN_3, description: "changed" });
    await cli("run", path);
    expect(await counts()).toEqual({ runs: 3, versions: 2, workflows: 1 });
    const versions = await (await sqlite.db()).prisma.workflowVersion.findMany({ orderBy: { version: "asc" } });
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
  });

  it("exits 3 when the run waits, 1 when it fails", async () => {
    const waiting = await cli("run", file("hitl.json", HITL_DOCUMENT), "--json");
    expect(waiting.code).toBe(3);
    expect(waiting.json().approvals).toEqual([expect.objectContaining({ nodeId: "approve", status: "pending" })]);
    const failed = await cli("run", file("fail.json", FAILING), "--json");
    expect(failed.code).toBe(1);
    expect(failed.json()).toMatchObject({ status: "failed" });
    const text = await cli("run", file("fail.json", FAILING));
    expect(text.stdout).toMatch(/failed/);
  });

  it("passes --input as JSON or @file", async () => {
    const doc = file("input.json", WITH_INPUT);
    const inline = await cli("run", doc, "--input", '{"message":"hi there"}', "--json");
    expect(inline.code, inline.stderr).toBe(0);
    expect(inline.json().output).toEqual({ said: "hi there" });
    const fromFile = await cli("run", doc, "--input", `@${file("in.json", { message: "from a file" })}`, "--json");
    expect(fromFile.json().output).toEqual({ said: "from a file" });
  });

  it.each([
    ["an unreadable workflow file", () => ["run", join(sqlite.dir, "nope.json")], /nope\.json: it does not exist/],
    ["a workflow that is not JSON", () => ["run", file("x.json", "{nope")], /x\.json is not valid JSON at line 1/],
    [
      "an invalid workflow",
      () => ["run", file("inv.json", { ...CHAIN_3, nodes: [] })],
      /not a valid workflow[\s\S]*- nodes/,
    ],
    [
      "--input that is not JSON",
      () => ["run", file("in.json", WITH_INPUT), "--input", "{message:"],
      /--input value is not valid JSON/,
    ],
    [
      "an --input file that does not exist",
      () => ["run", file("in.json", WITH_INPUT), "--input", `@${join(sqlite.dir, "gone.json")}`],
      /--input file .*gone\.json: it does not exist/,
    ],
    [
      "input failing the workflow's input schema",
      () => ["run", file("in.json", WITH_INPUT), "--input", '{"message": 42}'],
      /input schema[\s\S]*- input\.message: /,
    ],
    [
      "input missing a required field",
      () => ["run", file("in.json", WITH_INPUT), "--input", "{}"],
      /- input\.message: /,
    ],
  ] as const)("exits 2 on %s, naming the problem, and creates no run", async (_what, args, message) => {
    const r = await cli(...args());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await counts()).toEqual({ runs: 0, versions: 0, workflows: 0 });
  });

  it("prints a JSON error object on bad input in --json mode", async () => {
    const r = await cli("run", file("in.json", WITH_INPUT), "--input", '{"message": 42}', "--json");
    expect(r.code).toBe(2);
    expect(r.json().error.issues[0]).toMatchObject({ path: "input.message" });
  });

  it("records who started the run in the audit trail, in the Default workspace", async () => {
    const r = await cli("run", file("chain.json", CHAIN_3), "--json");
    const runId = r.json().runId;
    const check = await sqlite.db();
    const entry = await check.prisma.auditEntry.findFirst({ where: { action: "run.started", targetId: runId } });
    expect(entry).toMatchObject({ actorLabel: "cli", targetType: "run" });
    const run = await check.prisma.run.findUniqueOrThrow({ where: { id: runId }, include: { workspace: true } });
    expect(run.workspace.slug).toBe("default");
    expect(run.trigger).toBe("cli");
    expect(entry?.workspaceId).toBe(run.workspaceId);
  });
});

describe("switchboard approvals / decide / runs show / recover", () => {
  async function waitingRun() {
    const r = await cli("run", file("hitl.json", HITL_DOCUMENT), "--json");
    expect(r.code).toBe(3);
    return r.json() as RunResult;
  }

  it("lists pending approvals and decides one, carrying the run on", async () => {
    const run = await waitingRun();
    const other = await waitingRun();
    const all = await cli("approvals", "--json");
    expect(all.json()).toHaveLength(2);
    const mine = await cli("approvals", "--run", run.runId, "--json");
    const [approval] = mine.json();
    expect(approval).toMatchObject({
      runId: run.runId,
      nodeId: "approve",
      kind: "approval",
      status: "pending",
      title: "Send it?",
    });
    expect((await cli("approvals")).stdout).toContain(approval.id);

    const decided = await cli("decide", approval.id, "approve", "--comment", "ship it", "--json");
    expect(decided.code, decided.stderr).toBe(0);
    expect(decided.json()).toMatchObject({ runId: run.runId, status: "succeeded", output: "Sent" });
    expect(decided.json().approvals).toEqual([expect.objectContaining({ id: approval.id, status: "approved" })]);

    // single use: the second decision is refused and says who decided
    const again = await cli("decide", approval.id, "reject");
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already decided \(approved by cli/);

    // reject skips the "approved" edge: "send" never runs
    const [otherApproval] = (await cli("approvals", "--run", other.runId, "--json")).json();
    const rejected = await cli("decide", otherApproval.id, "reject", "--json");
    const send = rejected.json().steps.find((s: { nodeId: string }) => s.nodeId === "send");
    expect(send?.status ?? "skipped").toBe("skipped");
    expect((await cli("approvals", "--json")).json()).toEqual([]);

    const check = await sqlite.db();
    expect(await check.prisma.auditEntry.count({ where: { action: "approval.decided" } })).toBe(2);
  });

  it("refuses bad decisions with exit 2", async () => {
    const run = await waitingRun();
    expect((await cli("decide", "no-such-approval", "approve")).code).toBe(2);
    expect((await cli("decide", run.approvals[0].id, "maybe")).code).toBe(2);
    const badData = await cli("decide", run.approvals[0].id, "approve", "--data", "{oops");
    expect(badData.code).toBe(2);
    expect(badData.stderr).toMatch(/--data value is not valid JSON/);
    // editing is not allowed on this approval
    const notEditable = await cli("decide", run.approvals[0].id, "approve", "--data", '{"a":1}');
    expect(notEditable.code).toBe(2);
    expect(notEditable.stderr).toMatch(/data/);
    expect((await cli("approvals", "--json")).json()).toHaveLength(1);
  });

  it("shows a run, and exits 2 for an unknown one", async () => {
    const run = await waitingRun();
    const shown = await cli("runs", "show", run.runId, "--json");
    expect(shown.code).toBe(0);
    expect(shown.json()).toMatchObject({ runId: run.runId, status: "waiting" });
    expect((await cli("runs", "show", run.runId)).stdout).toContain(`switchboard decide ${run.approvals[0].id}`);
    expect((await cli("runs", "show", "r-nope")).code).toBe(2);
  });

  it("recover prints a JSON array (empty when nothing is interrupted)", async () => {
    await waitingRun();
    const r = await cli("recover", "--json");
    expect(r.code).toBe(0);
    expect(r.json()).toEqual([]);
  });
});

describe("CLI workspace", () => {
  it("uses the seeded demo workspace when there is one", async () => {
    process.env.SWITCHBOARD_SEED = "1";
    process.env.SWITCHBOARD_DATA_DIR = join(sqlite.dir, "data");
    try {
      const r = await cli("run", file("chain.json", CHAIN_3), "--json");
      expect(r.code, r.stderr).toBe(0);
      const check = await sqlite.db();
      const run = await check.prisma.run.findUniqueOrThrow({
        where: { id: r.json().runId },
        include: { workspace: true },
      });
      expect(run.workspace.slug).toBe("acme");
    } finally {
      process.env.SWITCHBOARD_SEED = "0";
    }
  });
});
