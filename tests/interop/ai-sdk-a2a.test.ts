// A Vercel AI SDK agent (`ToolLoopAgent` from `ai`, its model an OpenAI-compatible provider
// pointed at the fake provider) served over A2A with the official @a2a-js/sdk server on Express,
// and called by a workflow's a2a node: the agent runs its own tool loop, and its reply comes back
// as the step's output (data, never evaluated).
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { stepCountIs, ToolLoopAgent, tool } from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createA2aClient } from "@/lib/a2a/client";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { type ServedA2aAgent, serveA2aAgent } from "./serve-a2a";

let fake: FakeProvider;
let agent: ServedA2aAgent;
const looked: string[] = [];

beforeAll(async () => {
  fake = await startFakeProvider();
  const provider = createOpenAICompatible({ name: "fake", baseURL: fake.baseUrls.openaiCompatible, apiKey: "k" });
  // The user's agent, as they would write it with the AI SDK.
  const stockAgent = new ToolLoopAgent({
    model: provider("fake-tool"),
    instructions: "You answer questions about stock levels. Use the stock tool.",
    tools: {
      stock: tool({
        description: "How many of an item are in stock",
        inputSchema: z.object({ item: z.string() }),
        execute: async ({ item }) => {
          looked.push(item);
          return { item, count: 12 };
        },
      }),
    },
    stopWhen: stepCountIs(4),
  });
  agent = await serveA2aAgent({
    name: "Stock agent (AI SDK)",
    description: "Answers stock questions",
    answer: async (text, signal) => (await stockAgent.generate({ prompt: text, abortSignal: signal })).text,
  });
});
afterAll(async () => {
  await agent?.close();
  await fake?.stop();
});

describe("a Vercel AI SDK agent over A2A", () => {
  it("a workflow's a2a node hands it work; the agent's tool loop runs and its reply is the step's output", async () => {
    const t = createTestEngine({
      a2a: createA2aClient({ egress: () => ({ allowHosts: [`127.0.0.1:${agent.port}`] }) }),
    });
    const doc = workflow(
      [
        trigger(),
        node("ask", "a2a", { agentCardUrl: agent.cardUrl, message: "How many {{ input.item }} are left?" }),
        node("out", "end", { output: { reply: "{{ nodes.ask.output.text }}", state: "{{ nodes.ask.output.state }}" } }),
      ],
      [edge("start", "ask"), edge("ask", "out")],
    );
    const result = await t.engine.execute({ document: doc }, { item: "chairs {{ run.id }}" });
    expect(result.status).toBe("succeeded");
    expect(agent.received).toEqual(["How many chairs {{ run.id }} are left?"]);
    // the fake model called the tool, then answered from its result
    expect(looked).toHaveLength(1);
    const out = result.output as { reply: string; state: string };
    expect(out.state).toBe("completed");
    expect(out.reply).toMatch(/^Tool results [0-9a-f]{12}: /);
    expect(out.reply).toContain('"count":12');
    // two model requests: the tool call, then the answer
    const chats = fake.requests.filter((r) => r.protocol === "openai-chat");
    expect(chats).toHaveLength(2);
    expect(JSON.stringify(chats[0]!.body)).toContain("How many chairs {{ run.id }} are left?");
  });
});
