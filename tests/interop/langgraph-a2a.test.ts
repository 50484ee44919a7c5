// A LangGraph.js agent (a StateGraph: a ChatOpenAI model node pointed at the fake provider, a
// ToolNode, the tools condition) served over A2A with the official @a2a-js/sdk server on Express,
// and called by a workflow's a2a node; a model error in the graph fails the remote task, and
// cancelling the run stops the graph (tasks/cancel aborts its invoke).
import { type AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { END, MessagesAnnotation, START, StateGraph } from "@langchain/langgraph";
import { ToolNode, toolsCondition } from "@langchain/langgraph/prebuilt";
import { ChatOpenAI } from "@langchain/openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createA2aClient } from "@/lib/a2a/client";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { type ServedA2aAgent, serveA2aAgent } from "./serve-a2a";

let fake: FakeProvider;
let agent: ServedA2aAgent;
const lookups: string[] = [];
const aborted: string[] = [];

beforeAll(async () => {
  fake = await startFakeProvider();
  // The user's graph, as they would write it with LangGraph.js.
  const weather = tool(
    async ({ city }) => {
      lookups.push(city);
      return `Sunny in ${city}, 21°C`;
    },
    { name: "weather", description: "Current weather in a city", schema: z.object({ city: z.string() }) },
  );
  const model = new ChatOpenAI({
    model: "fake-tool",
    apiKey: "k",
    configuration: { baseURL: fake.baseUrls.openai },
    maxRetries: 0,
  }).bindTools([weather]);
  const graph = new StateGraph(MessagesAnnotation)
    .addNode("model", async (state, config) => ({
      messages: [(await model.invoke(state.messages, config)) as AIMessage],
    }))
    .addNode("tools", new ToolNode([weather]))
    .addEdge(START, "model")
    .addConditionalEdges("model", toolsCondition, ["tools", END])
    .addEdge("tools", "model")
    .compile();
  agent = await serveA2aAgent({
    name: "Weather graph (LangGraph.js)",
    description: "Answers weather questions",
    answer: async (text, signal) => {
      try {
        const state = await graph.invoke(
          { messages: [new SystemMessage("Use the weather tool."), new HumanMessage(text)] },
          { signal, recursionLimit: 8 },
        );
        return String(state.messages.at(-1)?.content ?? "");
      } catch (error) {
        if (signal.aborted) aborted.push(text);
        throw error;
      }
    },
  });
});
afterAll(async () => {
  await agent?.close();
  await fake?.stop();
});

const engine = () =>
  createTestEngine({ a2a: createA2aClient({ egress: () => ({ allowHosts: [`127.0.0.1:${agent.port}`] }) }) });

describe("a LangGraph.js agent over A2A", () => {
  it("a workflow's a2a node hands it work; the graph runs its tool loop and its answer is the step's output", async () => {
    const t = engine();
    const doc = workflow(
      [
        trigger(),
        node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "What is the weather in {{ input.city }}?" }),
        node("out", "end", { output: "{{ nodes.ask.output.text }}" }),
      ],
      [edge("start", "ask"), edge("ask", "out")],
    );
    const result = await t.engine.execute({ document: doc }, { city: "Lyon" });
    expect(result.status).toBe("succeeded");
    expect(agent.received.at(-1)).toBe("What is the weather in Lyon?");
    expect(lookups).toHaveLength(1);
    expect(result.output).toMatch(/^Tool results [0-9a-f]{12}: Sunny in fake, 21°C$/);
    const step = result.steps.find((s) => s.nodeId === "ask");
    expect(step?.output).toMatchObject({ agent: { name: "Weather graph (LangGraph.js)" }, state: "completed" });
    // the graph's model calls went to the fake provider: the tool call, then the answer
    expect(fake.requests.filter((r) => r.model === "fake-tool")).toHaveLength(2);
  });

  it("a model error inside the graph fails the remote task, and the step's error outcome takes it", async () => {
    fake.enqueue({ kind: "error", status: 400 });
    const t = engine();
    const doc = workflow(
      [
        trigger(),
        node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "Weather in Oslo?" }),
        node("fallback", "end", { output: "{{ nodes.ask.output.error.message }}" }),
      ],
      [edge("start", "ask"), edge("ask", "fallback", "error")],
    );
    const result = await t.engine.execute({ document: doc }, {});
    expect(result.status).toBe("succeeded");
    expect(result.output).toMatch(/^The A2A agent “Weather graph \(LangGraph\.js\)” failed the task: /);
  });

  it("cancelling the run cancels the remote task, which stops the graph mid-call", async () => {
    fake.enqueue({ kind: "hang" });
    const t = createTestEngine({
      a2a: createA2aClient({ egress: () => ({ allowHosts: [`127.0.0.1:${agent.port}`] }) }),
      autoAdvance: false,
    });
    const doc = workflow(
      [trigger(), node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "Weather in Rome?" })],
      [edge("start", "ask")],
    );
    const { runId } = await t.engine.startRun({ document: doc }, {});
    const running = t.engine.runUntilPauseOrEnd(runId);
    for (let i = 0; i < 200 && fake.openRequests() === 0; i++) await new Promise((r) => setTimeout(r, 25));
    expect(agent.received.at(-1)).toBe("Weather in Rome?");
    await t.engine.cancel(runId, "tester");
    expect((await running).status).toBe("cancelled");
    for (let i = 0; i < 200 && !aborted.includes("Weather in Rome?"); i++) await new Promise((r) => setTimeout(r, 25));
    expect(aborted).toContain("Weather in Rome?");
  });
});
