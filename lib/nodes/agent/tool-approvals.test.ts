// An agent whose MCP tools need a person's approval, against a real MCP server on 127.0.0.1:
// every gated call in one step visit gets its own approval, in order; on each resume the tool loop
// goes on where it stopped (calls already made are not made again, the model is called with the
// conversation so far), edited arguments are used, a refusal is the tool's result to the model,
// and a restart (or a crash mid-resume) between the approvals carries on correctly.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ModelGateway, ModelRequest } from "@/lib/contracts/ports";
import { createEngine } from "@/lib/engine/engine";
import { createModelGateway } from "@/lib/engine/models/gateway";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { crashable } from "@/lib/engine/testing/crash";
import { FakeClock } from "@/lib/engine/testing/fake-clock";
import { createMemoryStore } from "@/lib/engine/testing/memory-store";
import { mcpServerRecord, memoryMcpServers, testMcpClient } from "@/lib/mcp/testing";
import { builtinNodes } from "@/lib/nodes/builtin";
import { createSequentialIds, createTestEngine } from "@/lib/testing/test-engine";
import { type McpTestServer, startMcpTestServer } from "@/tests/mcp-server/server";

let server: McpTestServer;
let onCall: ((tool: string, args: unknown) => void) | null = null;
beforeAll(async () => {
  server = await startMcpTestServer({ onCall: (tool, args) => onCall?.(tool, args) });
});
afterAll(() => server.close());
beforeEach(() => {
  onCall = null;
});

const mcp = () =>
  testMcpClient(
    memoryMcpServers([mcpServerRecord({ name: "desk", url: server.url, approvalTools: ["create_ticket"] })]),
    [`127.0.0.1:${server.port}`],
  ).gateway;

/** The built-in model gateway (simulated model), recording every request. */
function recording(clock: FakeClock): { models: ModelGateway; seen: ModelRequest[] } {
  const inner = createModelGateway({ clock });
  const seen: ModelRequest[] = [];
  return {
    seen,
    models: {
      generate(req) {
        seen.push({ ...req, messages: [...req.messages] });
        return inner.generate(req);
      },
    },
  };
}

// look (read-only) → ticket one (gated) → look again → ticket two (gated) → answer
const script = [
  { tool: "desk.echo", arguments: { text: "first look" } },
  { tool: "desk.create_ticket", arguments: { title: "one" } },
  { tool: "desk.echo", arguments: { text: "second look" } },
  { tool: "desk.create_ticket", arguments: { title: "two" } },
];

const doc = () =>
  workflow(
    [
      trigger(),
      node("helper", "agent", {
        prompt: "File the tickets",
        maxTurns: 8,
        tools: [
          { server: "desk", tool: "echo" },
          { server: "desk", tool: "create_ticket" },
        ],
        simulate: { output: "done", toolCalls: script },
      }),
    ],
    [edge("start", "helper")],
  );

type Trace = { name: string; arguments: unknown; result?: unknown; error?: string }[];
const callsSince = (before: number) => server.calls.slice(before).map((c) => [c.tool, c.arguments]);

describe("an agent's approval-gated tool calls", () => {
  it("asks once per gated call, in order, and goes on where it stopped: no call is made twice, edits are used", async () => {
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const rec = recording(clock);
    const t = createTestEngine({ mcp: mcp(), clock, models: rec.models });
    const before = server.calls.length;

    const first = await t.engine.execute({ document: doc() }, {});
    expect(first.status).toBe("waiting");
    expect(callsSince(before)).toEqual([["echo", { text: "first look" }]]);
    const [a1] = await t.store.listApprovals({ runId: first.runId });
    expect(a1).toMatchObject({ seq: 0, payload: { tool: "create_ticket", arguments: { title: "one" } } });

    const second = await t.engine.decide(a1!.id, {
      decision: "approve",
      by: "approver-1",
      data: { arguments: { title: "one, edited", priority: "high" } },
    });
    expect(second.status).toBe("waiting");
    // The first look was not repeated; the approved call used the edited arguments.
    expect(callsSince(before)).toEqual([
      ["echo", { text: "first look" }],
      ["create_ticket", { title: "one, edited", priority: "high" }],
      ["echo", { text: "second look" }],
    ]);
    const approvals = await t.store.listApprovals({ runId: first.runId });
    expect(approvals.map((a) => [a.seq, a.status, (a.payload as { arguments: unknown }).arguments])).toEqual([
      [0, "approved", { title: "one" }],
      [1, "pending", { title: "two" }],
    ]);
    // The model went on from the conversation: the approved call's result was its tool result.
    const resumed = rec.seen.at(-1)!;
    expect(resumed.messages.find((m) => m.role === "tool" && m.name === "desk.create_ticket")).toMatchObject({
      content: "Created ticket “one, edited” (high)",
    });
    expect(resumed.messages.filter((m) => m.role === "tool").map((m) => m.name)).toEqual([
      "desk.echo",
      "desk.create_ticket",
    ]);

    const done = await t.engine.decide(approvals[1]!.id, { decision: "approve", by: "approver-1" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe("done");
    expect(callsSince(before)).toEqual([
      ["echo", { text: "first look" }],
      ["create_ticket", { title: "one, edited", priority: "high" }],
      ["echo", { text: "second look" }],
      ["create_ticket", { title: "two" }],
    ]);
    const steps = await t.store.listSteps(done.runId);
    const trace = (steps.at(-1)!.input as { toolCalls: Trace }).toolCalls;
    expect(trace.map((c) => [c.name, c.result ?? c.error])).toEqual([
      ["desk.echo", "first look"],
      ["desk.create_ticket", "Created ticket “one, edited” (high)"],
      ["desk.echo", "second look"],
      ["desk.create_ticket", "Created ticket “two” (normal)"],
    ]);
    // Three model requests: the first, then one after each approval (never from scratch).
    expect(rec.seen).toHaveLength(3);
    expect(rec.seen.map((r) => r.messages.filter((m) => m.role === "tool").length)).toEqual([0, 2, 4]);
  });

  it("a rejection goes back to the model as the call's tool result, and the loop goes on", async () => {
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const rec = recording(clock);
    const t = createTestEngine({ mcp: mcp(), clock, models: rec.models });
    const before = server.calls.length;
    const first = await t.engine.execute({ document: doc() }, {});
    const [a1] = await t.store.listApprovals({ runId: first.runId });
    const second = await t.engine.decide(a1!.id, { decision: "reject", by: "approver-1", comment: "duplicate" });
    expect(second.status).toBe("waiting");
    const refusal = "A person refused the call of “create_ticket” on “desk”: duplicate";
    expect(rec.seen.at(-1)!.messages.find((m) => m.role === "tool" && m.name === "desk.create_ticket")).toMatchObject({
      content: refusal,
      isError: true,
    });
    const a2 = (await t.store.listApprovals({ runId: first.runId })).find((a) => a.status === "pending");
    const done = await t.engine.decide(a2!.id, { decision: "approve", by: "approver-1" });
    expect(done.status).toBe("succeeded");
    expect(callsSince(before).map(([tool]) => tool)).toEqual(["echo", "echo", "create_ticket"]);
    const steps = await t.store.listSteps(done.runId);
    const trace = (steps.at(-1)!.input as { toolCalls: Trace }).toolCalls;
    expect(trace[1]).toMatchObject({ name: "desk.create_ticket", arguments: { title: "one" }, error: refusal });
  });

  it("a restarted process decides the second approval and carries on from the stored loop", async () => {
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const t = createTestEngine({ mcp: mcp(), clock });
    const before = server.calls.length;
    const first = await t.engine.execute({ document: doc() }, {});
    const [a1] = await t.store.listApprovals({ runId: first.runId });
    expect((await t.engine.decide(a1!.id, { decision: "approve", by: "a" })).status).toBe("waiting");

    const restarted = t.restart();
    const a2 = (await t.store.listApprovals({ runId: first.runId })).find((a) => a.status === "pending");
    const done = await restarted.decide(a2!.id, { decision: "approve", by: "a" });
    expect(done.status).toBe("succeeded");
    expect(callsSince(before).map(([tool, args]) => `${tool} ${JSON.stringify(args)}`)).toEqual([
      'echo {"text":"first look"}',
      'create_ticket {"title":"one"}',
      'echo {"text":"second look"}',
      'create_ticket {"title":"two"}',
    ]);
  });

  it("a crash while resuming resumes again with the same decision: only the calls since the last wait repeat", async () => {
    const store = createMemoryStore();
    const clock = new FakeClock(undefined, { autoAdvance: true });
    const ids = createSequentialIds();
    const crash = crashable(store);
    const gateway = mcp();
    const engine = (s: typeof store, owner: string) =>
      createEngine({ nodes: builtinNodes, store: s, clock, ids, mcp: gateway, owner, leaseTtlMs: 10_000 });
    const p1 = engine(crash.store as typeof store, "p1");
    const before = server.calls.length;
    const first = await p1.execute({ document: doc() }, {});
    expect(first.status).toBe("waiting");
    const [a1] = await store.listApprovals({ runId: first.runId });

    // The process dies right after the approved call reached the server (nothing after it commits).
    onCall = (tool) => {
      if (tool === "create_ticket") crash.crash();
    };
    void p1.decide(a1!.id, { decision: "approve", by: "a" }).catch(() => {});
    for (let i = 0; i < 50 && !server.calls.slice(before).some((c) => c.tool === "create_ticket"); i++)
      await new Promise((r) => setTimeout(r, 20));
    onCall = null;
    await new Promise((r) => setTimeout(r, 50));

    // (The crashed process's own loop may still go on in memory here: only its store calls hang.)
    const restartAt = server.calls.length;
    const p2 = engine(store, "p2");
    clock.set(clock.now().getTime() + 20_000);
    const [recovered] = await p2.recover(clock.now());
    expect(recovered!.status).toBe("waiting");
    const approvals = await store.listApprovals({ runId: first.runId });
    expect(approvals.map((a) => [a.seq, a.status])).toEqual([
      [0, "approved"],
      [1, "pending"],
    ]);
    // The approved call, in flight at the crash, is made again (at least once, same decision);
    // the first look, made before the wait was stored, is not; the loop goes on to the second ticket.
    expect(callsSince(restartAt)).toEqual([
      ["create_ticket", { title: "one" }],
      ["echo", { text: "second look" }],
    ]);
    const done = await p2.decide(approvals[1]!.id, { decision: "approve", by: "a" });
    expect(done.status).toBe("succeeded");
    expect(callsSince(before).filter(([, args]) => JSON.stringify(args) === '{"text":"first look"}')).toHaveLength(1);
    expect(callsSince(restartAt).map(([tool]) => tool)).toEqual(["create_ticket", "echo", "create_ticket"]);
  });
});
