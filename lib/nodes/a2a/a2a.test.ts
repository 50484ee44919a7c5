// The a2a node against a real A2A 1.0 agent on 127.0.0.1: a task followed to its end, the reply
// kept as data, a remote question answered by a person in the inbox, failures taking the error
// outcome, cancelling the run cancelling the remote task, the egress policy, and no connection
// before a run reaches the node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createA2aClient } from "@/lib/a2a/client";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { runSingle } from "@/lib/testing/run-single";
import { createTestEngine } from "@/lib/testing/test-engine";
import { validateWorkflow } from "@/lib/workflow/validate";
import { type A2aTestAgent, startA2aTestAgent } from "@/tests/a2a-agent/agent";

let agent: A2aTestAgent;
beforeAll(async () => {
  agent = await startA2aTestAgent();
});
afterAll(() => agent.close());

const a2a = () => createA2aClient({ egress: () => ({ allowHosts: [`127.0.0.1:${agent.port}`] }) });

describe("a2a node", () => {
  it("sends the rendered message, follows the task and outputs the reply as data (never evaluated)", async () => {
    const { result, step } = await runSingle(
      "a2a",
      { agentCardUrl: agent.cardUrl, message: "echo {{ input.what }}" },
      { what: "parcel 9" },
      {
        a2a: a2a(),
        extraNodes: [{ id: "out", type: "end", config: { output: "{{ nodes.subject.output.text }}" } }],
        extraEdges: [{ source: "subject", target: "out" }],
      },
    );
    expect(result.status).toBe("succeeded");
    expect(result.output).toBe("parcel 9");
    expect(step?.output).toMatchObject({ agent: { name: "Order desk" }, state: "completed", text: "parcel 9" });
    const bait = await runSingle(
      "a2a",
      { agentCardUrl: agent.cardUrl, message: "bait" },
      {},
      {
        a2a: a2a(),
        extraNodes: [{ id: "out", type: "end", config: { output: "{{ nodes.subject.output.text }}" } }],
        extraEdges: [{ source: "subject", target: "out" }],
      },
    );
    expect(bait.result.output).toBe("{{ run.id }} $string(vars)");
  });

  it("a remote question waits for a person; the answer goes back to the agent and the task completes", async () => {
    const t = createTestEngine({ a2a: a2a() });
    const doc = workflow(
      [trigger(), node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "ask" })],
      [edge("start", "ask")],
    );
    const waiting = await t.engine.execute({ document: doc }, {});
    expect(waiting.status).toBe("waiting");
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    expect(approval).toMatchObject({
      title: "Order desk asks: What is your order number?",
      allowEdit: true,
      payload: { question: "What is your order number?", answer: "", agentCardUrl: agent.cardUrl },
    });
    const empty = await t.engine
      .decide(approval!.id, { decision: "approve", by: "u", data: { answer: "" } })
      .catch((e) => e);
    expect(empty.code).toBe("input_invalid");
    const done = await t.engine.decide(approval!.id, { decision: "approve", by: "u", data: { answer: "B-52" } });
    expect(done.status).toBe("succeeded");
    expect(done.steps.find((s) => s.nodeId === "ask")?.output).toMatchObject({
      state: "completed",
      text: "Order B-52 found",
    });
    expect(agent.received.slice(-2)).toEqual(["ask", "B-52"]);
  });

  it("declining to answer cancels the remote task and fails the step", async () => {
    const t = createTestEngine({ a2a: a2a() });
    const doc = workflow(
      [trigger(), node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "ask" })],
      [edge("start", "ask")],
    );
    const waiting = await t.engine.execute({ document: doc }, {});
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    const taskId = (approval!.payload as { taskId: string }).taskId;
    const done = await t.engine.decide(approval!.id, { decision: "reject", by: "u", comment: "not our customer" });
    expect(done.status).toBe("failed");
    expect(done.error?.message).toBe("A person declined to answer the A2A agent's question: not our customer");
    expect(agent.cancelled).toContain(taskId);
  });

  it("a failed task takes the error outcome; a card at a private address is refused by the egress policy", async () => {
    const routed = await runSingle(
      "a2a",
      { agentCardUrl: agent.cardUrl, message: "fail" },
      {},
      {
        a2a: a2a(),
        extraNodes: [{ id: "fallback", type: "end", config: { output: "{{ nodes.subject.output.error.message }}" } }],
        extraEdges: [{ source: "subject", target: "fallback", sourceHandle: "error" }],
      },
    );
    expect(routed.result.output).toBe("The A2A agent “Order desk” failed the task: The warehouse is closed.");
    const before = agent.requests;
    const refused = await runSingle(
      "a2a",
      { agentCardUrl: agent.cardUrl, message: "echo x" },
      {},
      { a2a: createA2aClient({ egress: () => ({}) }) },
    );
    expect(refused.result.error?.code).toBe("egress_denied");
    expect(agent.requests).toBe(before);
  });

  /**
   * Starts a run whose a2a step sends `message`, cancels the run as soon as the agent has the
   * message (polling every 5 ms, up to 10 s: the suite shares two cores), and returns what the
   * run ended as and how many tasks the agent saw cancelled meanwhile (waiting up to 5 s).
   */
  async function cancelOnceReceived(message: string) {
    const t = createTestEngine({ a2a: a2a(), autoAdvance: false });
    const doc = workflow(
      [trigger(), node("slow", "a2a", { agentCardUrl: agent.cardUrl, message })],
      [edge("start", "slow")],
    );
    const { runId } = await t.engine.startRun({ document: doc }, {});
    const running = t.engine.runUntilPauseOrEnd(runId);
    const received = agent.received.length;
    for (let i = 0; i < 2000 && agent.received.length === received; i++) await new Promise((r) => setTimeout(r, 5));
    expect(agent.received.slice(received), "the agent got the message before the cancel").toEqual([message]);
    const cancelledBefore = agent.cancelled.length;
    await t.engine.cancel(runId, "tester");
    const result = await running;
    for (let i = 0; i < 250 && agent.cancelled.length === cancelledBefore; i++)
      await new Promise((r) => setTimeout(r, 20));
    return { status: result.status, cancelled: agent.cancelled.length - cancelledBefore };
  }

  it("cancelling the run cancels the remote task", async () => {
    expect(await cancelOnceReceived("slow")).toEqual({ status: "cancelled", cancelled: 1 });
  });

  it("a run cancelled after the message went out but before the agent named its task still cancels that task", async () => {
    // the agent names this task only 400 ms after it has the message
    expect(await cancelOnceReceived("late slow")).toEqual({ status: "cancelled", cancelled: 1 });
  });

  it("cancelling the run while the agent's question waits for a person cancels the remote task", async () => {
    const t = createTestEngine({ a2a: a2a() });
    const doc = workflow(
      [trigger(), node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "ask" })],
      [edge("start", "ask")],
    );
    const waiting = await t.engine.execute({ document: doc }, {});
    expect(waiting.status).toBe("waiting");
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    const taskId = (approval!.payload as { taskId: string }).taskId;
    expect(agent.cancelled).not.toContain(taskId);
    const result = await t.engine.cancel(waiting.runId, "tester");
    expect(result.status).toBe("cancelled");
    expect(agent.cancelled).toContain(taskId);
    expect((await t.store.listApprovals({ runId: waiting.runId }))[0]?.status).toBe("cancelled");
  });

  it("importing and validating a workflow that names an agent connects to nothing", async () => {
    const before = agent.requests;
    const doc = workflow(
      [trigger(), node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "hi" })],
      [edge("start", "ask")],
    );
    expect(validateWorkflow(doc).issues).toEqual([]);
    createTestEngine({ a2a: a2a() });
    expect(agent.requests).toBe(before);
    const notWired = await runSingle("a2a", { agentCardUrl: agent.cardUrl, message: "hi" });
    expect(notWired.result.error?.code).toBe("not_available");
  });
});
