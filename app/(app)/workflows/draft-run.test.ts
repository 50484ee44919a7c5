// Running a draft from the editor does not publish it: the run is pinned to a draft snapshot
// (version -1, -2, …, reused while the draft is unchanged) and what webhooks, schedules and the
// API run — the latest published version — stays as it was. On both databases.
import { describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import {
  createWorkflowAction,
  listVersionsAction,
  publishWorkflowAction,
  saveDraftAction,
} from "@/app/(app)/workflows/actions";
import { startRunAction } from "@/app/(app)/workflows/run-actions";
import { TEST_DATABASES } from "@/lib/db/testing";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { serverHarness } from "@/lib/server/testing";

const doc = (description: string) => ({
  format: "switchboard.workflow/v1",
  name: "Draft runs",
  description,
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    { id: "done", type: "end", config: { output: description } },
  ],
  edges: [{ source: "start", target: "done" }],
});

describe.each(TEST_DATABASES)("draft runs on $name", ({ open }) => {
  const server = serverHarness(open);

  async function save(id: string, description: string) {
    const wf = await server.db.prisma.workflow.findUniqueOrThrow({ where: { id } });
    const saved = await saveDraftAction({ id, baseRevision: wf.draftRevision, document: doc(description) });
    if (!saved.ok) throw new Error(saved.error.message);
  }
  async function run(id: string) {
    const started = await startRunAction({ id, input: {} });
    if (!started.ok) throw new Error(started.error.message);
    await server.host.engine.runUntilPauseOrEnd(started.data.runId);
    return { ...started.data, run: await server.host.store.loadRun(started.data.runId) };
  }

  it("pins editor runs to draft snapshots and never publishes them", async () => {
    server.as("editor");
    const created = await createWorkflowAction({ name: "Draft runs" });
    if (!created.ok) throw new Error(created.error.message);
    const id = created.data.id;
    await save(id, "first");

    // never published: the draft runs, nothing becomes a published version
    const a = await run(id);
    expect(a.version).toBe(-1);
    expect(a.run?.output).toBe("first");
    expect(await loadPublishedVersion(server.db, server.fx.workspaceId, id, "latest")).toBeNull();

    // an unchanged draft reuses its snapshot
    expect((await run(id)).version).toBe(-1);

    const published = await publishWorkflowAction({ id });
    expect(published.ok && published.data.version).toBe(1);
    // the draft equals version 1: the run uses the published version
    expect((await run(id)).version).toBe(1);

    await save(id, "second");
    const b = await run(id);
    expect(b.version).toBe(-2);
    expect(b.run?.output).toBe("second");
    // what webhooks, schedules and the API run is still version 1, and the Versions tab lists it alone
    expect((await loadPublishedVersion(server.db, server.fx.workspaceId, id, "latest"))?.version).toBe(1);
    const versions = await listVersionsAction({ id });
    expect(versions.ok && versions.data.map((v) => v.version)).toEqual([1]);

    // publishing afterwards numbers on from the published versions
    const next = await publishWorkflowAction({ id });
    expect(next.ok && next.data.version).toBe(2);
  });
});
