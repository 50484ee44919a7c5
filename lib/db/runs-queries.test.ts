import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "./client";
import { type HistoryFixture, insertHistoryFixture } from "./history-fixture";
import {
  countRuns,
  exportRunsCsv,
  getPayload,
  getRunDetail,
  listRuns,
  PAYLOAD_PREVIEW_CHARS,
  type RunsFilter,
  RunsFilterSchema,
} from "./runs-queries";
import { TEST_DATABASES } from "./testing";

type TestDb = Db & { dispose(): Promise<void> };

/** Newest first by (createdAt, id), computed in JS from the inserted rows. */
function expectedIds(fx: HistoryFixture, keep: (r: HistoryFixture["runs"][number]) => boolean): string[] {
  return fx.runs
    .filter(keep)
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .map((r) => r.id);
}

async function allPages(db: Db, ws: string, f: RunsFilter, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await listRuns(db, ws, f, { cursor, limit });
    ids.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return ids;
}

describe.each(TEST_DATABASES)("runs list queries on $name", ({ open }) => {
  let db: TestDb;
  let fx: HistoryFixture;
  beforeAll(async () => {
    db = await open();
    fx = await insertHistoryFixture(db, { count: 240 });
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("pages through every run of the workspace, newest first, without gaps or repeats", async () => {
    const ids = await allPages(db, fx.workspaceId, {}, 37);
    expect(ids).toEqual(expectedIds(fx, () => true));
    expect(await countRuns(db, fx.workspaceId, {})).toBe(fx.runs.length);
  });

  it("filters by workflow, status, trigger, date range, cost and waiting on a person", async () => {
    const wf = fx.workflows[1]!.id;
    const from = new Date(fx.start.getTime() + 2 * 86400000);
    const to = new Date(fx.start.getTime() + 7 * 86400000);
    const cases: [RunsFilter, (r: HistoryFixture["runs"][number]) => boolean][] = [
      [{ workflowId: wf }, (r) => r.workflowId === wf],
      [{ status: ["failed", "cancelled"] }, (r) => r.status === "failed" || r.status === "cancelled"],
      [{ trigger: ["api"] }, (r) => r.trigger === "api"],
      [{ from, to }, (r) => r.createdAt >= from && r.createdAt < to],
      [{ costAbove: 0.01 }, (r) => r.costUsd > 0.01],
      [{ waitingOnPerson: true }, (r) => r.waitingOnPerson],
      [{ startedById: fx.users[1]!.id }, (r) => r.startedById === fx.users[1]!.id],
      [
        { workflowId: wf, status: ["succeeded"], from, to },
        (r) => r.workflowId === wf && r.status === "succeeded" && r.createdAt >= from && r.createdAt < to,
      ],
      [
        { failedNodeId: "lookup" },
        (r) => fx.steps.some((s) => s.runId === r.id && s.nodeId === "lookup" && s.status === "failed"),
      ],
      [
        { model: "openai:gpt-5-mini" },
        (r) => fx.steps.some((s) => s.runId === r.id && s.model === "openai:gpt-5-mini"),
      ],
    ];
    for (const [filter, keep] of cases) {
      const want = expectedIds(fx, keep);
      expect(want.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(await allPages(db, fx.workspaceId, filter, 50), JSON.stringify(filter)).toEqual(want);
      expect(await countRuns(db, fx.workspaceId, filter)).toBe(want.length);
    }
  });

  it("searches by run id and by text inside the input, case-insensitively", async () => {
    const target = fx.runs[123]!;
    expect(await allPages(db, fx.workspaceId, { q: target.id }, 50)).toEqual([target.id]);
    expect(await allPages(db, fx.workspaceId, { q: target.id.slice(0, 9) }, 50)).toEqual(
      expectedIds(fx, (r) => r.id.startsWith(target.id.slice(0, 9))),
    );
    expect(await allPages(db, fx.workspaceId, { q: "CANCEL ORDER" }, 50)).toEqual(
      expectedIds(fx, (r) => r.input.message.toLowerCase().includes("cancel order")),
    );
    // Another workspace's run matches the text but is never listed.
    const refunds = await allPages(db, fx.workspaceId, { q: "refund" }, 500);
    expect(refunds).toEqual(expectedIds(fx, (r) => r.input.message.includes("refund")));
  });

  it("parses URL filters and names the bad field", () => {
    const ok = RunsFilterSchema.parse({ status: "failed,cancelled", costAbove: "0.5", waitingOnPerson: "true", q: "" });
    expect(ok).toEqual({ status: ["failed", "cancelled"], costAbove: 0.5, waitingOnPerson: true });
    const bad = RunsFilterSchema.safeParse({ status: "exploded" });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path[0]).toBe("status");
  });

  it("exports the filtered runs as CSV", async () => {
    let csv = "";
    for await (const chunk of exportRunsCsv(db, fx.workspaceId, { status: ["failed"] }, 7)) csv += chunk;
    const lines = csv.trim().split("\n");
    const want = expectedIds(fx, (r) => r.status === "failed");
    expect(lines[0]).toMatch(/^id,workflow,version,trigger,status/);
    expect(lines.slice(1).map((l) => l.split(",")[0])).toEqual(want);
    const first = fx.runs.find((r) => r.id === want[0])!;
    expect(lines[1]).toContain(`,${first.costUsd},`);
  });

  it("loads a run's detail with steps, approvals and truncated large payloads", async () => {
    const run = fx.runs.find((r) => r.status === "failed" && r.stepCount >= 4)!;
    const big = { text: "x".repeat(PAYLOAD_PREVIEW_CHARS * 3) };
    const step = fx.steps.find((s) => s.runId === run.id && s.nodeId === "triage")!;
    await db.prisma.step.update({ where: { id: step.id }, data: { output: big } });
    const detail = (await getRunDetail(db, fx.workspaceId, run.id))!;
    expect(detail.steps.map((s) => s.nodeId)).toEqual(fx.steps.filter((s) => s.runId === run.id).map((s) => s.nodeId));
    const failed = detail.steps.find((s) => s.status === "failed")!;
    expect(failed.error.value).toEqual({ message: `HTTP 503 from ${failed.nodeId}`, code: "server_error" });
    const triage = detail.steps.find((s) => s.nodeId === "triage")!;
    expect(triage.output.truncated).toBe(true);
    expect(triage.output.preview?.length).toBe(PAYLOAD_PREVIEW_CHARS);
    expect(await getPayload(db, fx.workspaceId, run.id, { stepId: step.id, field: "output" })).toEqual(big);
    expect(detail.approvals.length).toBe(fx.approvals.filter((a) => a.runId === run.id).length);
    expect(await getRunDetail(db, fx.otherWorkspaceId, run.id)).toBeNull();
    // The page loads payloads of the selected step only.
    const light = (await getRunDetail(db, fx.workspaceId, run.id, { stepPayloads: () => [failed.id] }))!;
    expect(light.steps.filter((s) => s.payloadsLoaded).map((s) => s.id)).toEqual([failed.id]);
    expect(light.steps.find((s) => s.id === failed.id)?.error.value).toEqual(failed.error.value);
    expect(light.steps.find((s) => s.nodeId === "triage")?.output).toEqual({
      value: null,
      preview: null,
      truncated: false,
      size: 0,
    });
    expect(await getPayload(db, fx.otherWorkspaceId, run.id, { field: "input" })).toBeUndefined();
  });
});
