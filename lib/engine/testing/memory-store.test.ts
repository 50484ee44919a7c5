import { describe, expect, it } from "vitest";
import { createMemoryStore, InjectedFault } from "./memory-store";
import { runStoreContract } from "./store-contract";

runStoreContract("memory", () => ({ store: createMemoryStore() }));

describe("memory store extras", () => {
  it("an injected fault inside a commit applies nothing", async () => {
    const store = createMemoryStore();
    const now = new Date(0);
    const { lease } = await store.createRun({
      id: "r1",
      workspaceId: "w",
      workflowId: "f",
      workflowVersionId: "v",
      document: { format: "switchboard.workflow/v1", name: "x", nodes: [], edges: [] },
      input: {},
      trigger: "manual",
      status: "running",
      state: { a: 1 },
      createdAt: now,
      lease: { owner: "o", ttlMs: 1000 },
    });
    store.faults.failNextCommits = 1;
    await expect(
      store.commit(
        lease!,
        { run: { status: "succeeded", state: { a: 2 } }, events: [{ type: "run.succeeded", data: {} }] },
        now,
      ),
    ).rejects.toBeInstanceOf(InjectedFault);
    const run = await store.loadRun("r1");
    expect(run!.status).toBe("running");
    expect(run!.state).toEqual({ a: 1 });
    expect(run!.lastSeq).toBe(0);
  });
});
