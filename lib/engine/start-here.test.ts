// A caller that executes a run itself and waits for it (the CLI's `switchboard run`) starts it with
// `startHere`: the run is stored under this process's lease before anything else sees it, so a
// worker or a recovery sweep in another process cannot take it in between and leave the caller
// with "executing elsewhere". startRun, by contrast, stores a queued run that anyone may take.
import { describe, expect, it } from "vitest";
import type { SecretRedaction } from "@/lib/contracts/ports";
import { builtinNodes as nodes } from "@/lib/nodes/builtin";
import { createSequentialIds } from "@/lib/testing/test-engine";
import { createEngine } from "./engine";
import { agentChain, edge, node, trigger, workflow } from "./testing/builders";
import { FakeClock } from "./testing/fake-clock";
import { createMemoryStore } from "./testing/memory-store";

function twoProcesses(settings: { redaction?: SecretRedaction } = {}) {
  const store = createMemoryStore();
  const clock = new FakeClock();
  const ids = createSequentialIds();
  const here = createEngine({ nodes, store, clock, ids, owner: "cli", leaseTtlMs: 30_000, settings });
  const worker = createEngine({ nodes, store, clock, ids, owner: "worker", leaseTtlMs: 30_000 });
  return { store, clock, here, worker };
}

const DOC = agentChain(2, { output: "ok", latencyMs: 1000 });

describe("startHere", () => {
  it("stores the run under this process's lease: another process cannot take it, and the caller gets the result", async () => {
    const { store, clock, here, worker } = twoProcesses();
    const { runId, result } = await here.startHere({ document: DOC }, { topic: "x" });
    const stored = await store.loadRun(runId);
    expect([stored?.status, stored?.leaseOwner]).toEqual(["running", "cli"]);

    // the worker tries at once (a job or a sweep would): the run is held, it executes nothing
    const seen = await worker.runUntilPauseOrEnd(runId);
    expect(seen.status).toBe("running");

    await clock.advance(5000);
    const done = await result;
    expect(done.status).toBe("succeeded");
    const steps = await store.listSteps(runId);
    expect(steps.map((s) => [s.nodeId, s.attempt])).toEqual([
      ["start", 1],
      ["a1", 1],
      ["a2", 1],
      ["done", 1],
    ]);
    expect((await store.loadRun(runId))?.leaseOwner).toBeNull();
  });

  it("startRun, in contrast, stores a queued run without a lease, which the first process to ask executes", async () => {
    const { store, clock, here, worker } = twoProcesses();
    const { runId } = await here.startRun({ document: DOC }, {});
    const stored = await store.loadRun(runId);
    expect([stored?.status, stored?.leaseOwner]).toEqual(["queued", null]);
    const taken = worker.runUntilPauseOrEnd(runId);
    await clock.advance(5000);
    expect((await taken).status).toBe("succeeded");
  });

  it("refuses invalid input before storing anything", async () => {
    const { store, here } = twoProcesses();
    const strict = {
      ...DOC,
      input: { type: "object", required: ["topic"], properties: { topic: { type: "string" } } },
    };
    await expect(here.startHere({ document: strict }, {})).rejects.toThrow(/topic/);
    expect(store.dump().runs).toHaveLength(0);
  });

  it("stores the input with the workspace's secrets redacted, and executes with the input as given", async () => {
    const secret = "sk-live-start-here-0123456789";
    const redaction: SecretRedaction = {
      prepare: async () => {},
      redact: (_ws, value) => JSON.parse(JSON.stringify(value).replaceAll(secret, "[redacted]")),
    };
    const { store, clock, here } = twoProcesses({ redaction });
    const echo = workflow(
      [
        trigger(),
        node("len", "transform", { expression: "$length(input.token)" }),
        node("done", "end", { output: "{{ nodes.len.output }}" }),
      ],
      [edge("start", "len"), edge("len", "done")],
    );
    const { runId, result } = await here.startHere({ document: echo }, { token: secret });
    expect((await store.loadRun(runId))?.input).toEqual({ token: "[redacted]" });
    await clock.advance(1000);
    // the transform saw the real value (its length), not "[redacted]"
    expect((await result).output).toBe(secret.length);
  });
});
