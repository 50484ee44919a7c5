// The builder's server side end to end without Next: the workflow and run server actions
// through the foundation's authedAction with a test session, the real engine, and the run
// event stream (SSE) route, on both databases.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { createWorkflowAction, publishWorkflowAction, saveDraftAction } from "@/app/(app)/workflows/actions";
import { cancelRunAction, runStepsAction, startRunAction } from "@/app/(app)/workflows/run-actions";
import { GET as events } from "@/app/api/runs/[id]/events/route";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

/** Reads SSE frames until `until` says stop (or the stream ends), then aborts the request. */
async function readEvents(
  runId: string,
  init: { after?: number; lastEventId?: number },
  until: (frames: { id: number; type: string }[]) => boolean,
) {
  const abort = new AbortController();
  const headers: Record<string, string> = {};
  if (init.lastEventId !== undefined) headers["last-event-id"] = String(init.lastEventId);
  const url = `http://x/api/runs/${runId}/events${init.after !== undefined ? `?after=${init.after}` : ""}`;
  const res = await events(new Request(url, { headers, signal: abort.signal }), ctx(runId));
  const frames: { id: number; type: string }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buf = "";
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += decoder.decode(value, { stream: true });
    let i = buf.indexOf("\n\n");
    while (i >= 0) {
      const frame = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const id = /^id: (\d+)$/m.exec(frame);
      const data = /^data: (.*)$/m.exec(frame);
      if (id && data) frames.push({ id: Number(id[1]), type: JSON.parse(data[1]).type });
      i = buf.indexOf("\n\n");
    }
    if (until(frames)) break;
  }
  abort.abort();
  await reader.cancel().catch(() => {});
  return { res, frames };
}

describe.each(TEST_DATABASES)("builder actions and run events on $name", ({ open }) => {
  const server = serverHarness(open);
  const { as } = server;
  let db: TestDb;
  beforeAll(() => {
    db = server.db;
  });

  it("refuses viewers, saves drafts with a revision check for editors", async () => {
    as("viewer");
    const refused = await createWorkflowAction({ templateId: "draft-approve-send" });
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe("forbidden:workflow");

    as("editor");
    const created = await createWorkflowAction({ templateId: "draft-approve-send" });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const id = created.data.id;
    const wf = await db.prisma.workflow.findUniqueOrThrow({ where: { id } });
    const first = await saveDraftAction({ id, baseRevision: wf.draftRevision, document: wf.draft });
    expect(first.ok && first.data.status).toBe("saved");
    const stale = await saveDraftAction({ id, baseRevision: wf.draftRevision, document: wf.draft });
    expect(stale.ok && stale.data.status).toBe("conflict");
    const published = await publishWorkflowAction({ id });
    expect(published.ok && published.data.version).toBe(1);
  });

  it("starts a run that executes in the background; the event stream follows it and resumes by seq", async () => {
    as("editor");
    const created = await createWorkflowAction({ templateId: "draft-approve-send" });
    if (!created.ok) throw new Error(created.error.message);
    const t0 = Date.now();
    const started = await startRunAction({ id: created.data.id, input: { message: "hello" } });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    expect(Date.now() - t0).toBeLessThan(5000);
    const runId = started.data.runId;

    const { res, frames } = await readEvents(runId, {}, (f) => f.some((x) => x.type === "run.waiting"));
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toBe("no-cache, no-transform");
    const types = frames.map((f) => f.type);
    expect(types[0]).toBe("run.started");
    expect(types).toContain("step.succeeded");
    expect(types).toContain("approval.requested");
    expect(types).toContain("run.waiting");
    const ids = frames.map((f) => f.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    // reconnect with Last-Event-ID: only later events
    const resumed = await readEvents(runId, { lastEventId: ids[2] }, (f) => f.length >= 2);
    expect(resumed.frames[0].id).toBe(ids[3]);
    const after = await readEvents(runId, { after: ids[ids.length - 2] }, (f) => f.length >= 1);
    expect(after.frames[0].id).toBe(ids[ids.length - 1]);

    const steps = await runStepsAction({ runId });
    expect(steps.ok && steps.data.steps.find((s) => s.nodeId === "draft")?.simulated).toBe(true);

    const cancelled = await cancelRunAction({ runId });
    expect(cancelled.ok && cancelled.data.status).toBe("cancelled");
    // starting and cancelling are on the audit trail, naming the run
    const audited = await db.prisma.auditEntry.findMany({ where: { targetId: runId }, select: { action: true } });
    expect(audited.map((e) => e.action).sort()).toEqual(["run.cancelled", "run.started"]);
    const end = await readEvents(runId, { after: ids[ids.length - 1] }, (f) =>
      f.some((x) => x.type === "run.cancelled"),
    );
    expect(end.frames.map((f) => f.type)).toContain("run.cancelled");
  });

  it("refuses to run a draft with problems, naming them", async () => {
    as("editor");
    const created = await createWorkflowAction({ name: "Empty" });
    if (!created.ok) throw new Error(created.error.message);
    const wf = await db.prisma.workflow.findUniqueOrThrow({ where: { id: created.data.id } });
    const draft = wf.draft as { nodes: object[]; edges: object[] };
    draft.nodes.push({ id: "t", type: "transform", config: {} });
    draft.edges.push({ source: "start", target: "t" });
    await saveDraftAction({ id: wf.id, baseRevision: wf.draftRevision, document: draft });
    const r = await startRunAction({ id: wf.id, input: {} });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe("invalid:workflow");
      expect(r.error.fieldErrors?.some((f) => f.path.includes("nodes"))).toBe(true);
    }
    expect(await db.prisma.run.count({ where: { workflowId: wf.id } })).toBe(0);
  });
});
