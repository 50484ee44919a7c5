// Approval-gated MCP tools on the real wire: an agent on a provider (the fake provider over HTTP)
// whose model calls tools that need a person's approval. The gated calls end the model's loop
// (deferred), each waits for its own approval in order, and after the last decision the model is
// called once more with the conversation so far — its tool calls and their results as proper
// tool-call/tool-result messages — never from scratch. A real MCP server on 127.0.0.1 counts calls.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ModelGateway } from "@/lib/contracts/ports";
import { createModelGateway } from "@/lib/engine/models/gateway";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { FakeClock } from "@/lib/engine/testing/fake-clock";
import { mcpServerRecord, memoryMcpServers, testMcpClient } from "@/lib/mcp/testing";
import { createTestEngine } from "@/lib/testing/test-engine";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { type McpTestServer, startMcpTestServer } from "@/tests/mcp-server/server";
import type { ProviderConfig } from "./config";
import { createProviderGateway } from "./gateway";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

let fake: FakeProvider;
let mcpServer: McpTestServer;
let providers: ProviderConfig[];
beforeAll(async () => {
  [fake, mcpServer] = await Promise.all([startFakeProvider(), startMcpTestServer()]);
  providers = [
    { name: "ant", kind: "anthropic", baseUrl: fake.baseUrls.anthropic, apiKey: "k", allowPrivateNetwork: true },
    { name: "oa", kind: "openai", baseUrl: fake.baseUrls.openai, apiKey: "k", allowPrivateNetwork: true },
  ];
});
afterAll(async () => {
  await fake.stop();
  await mcpServer.close();
});
beforeEach(() => fake.reset());

/** `stream`: the gateway streams (as it does when someone watches the run live). */
function engine(approvalTools: string[], stream = false) {
  const clock = new FakeClock(undefined, { autoAdvance: true });
  const inner = createProviderGateway({ providers, now: () => clock.now() });
  const gateway: ModelGateway = stream ? { generate: (req) => inner.generate({ ...req, onDelta: () => {} }) } : inner;
  const models = createModelGateway({
    clock,
    providers: Object.fromEntries(inner.providerNames.map((n) => [n, gateway])),
  });
  const mcp = testMcpClient(memoryMcpServers([mcpServerRecord({ name: "desk", url: mcpServer.url, approvalTools })]), [
    `127.0.0.1:${mcpServer.port}`,
  ]).gateway;
  return createTestEngine({ clock, models, mcp });
}

const doc = (model: string) =>
  workflow(
    [
      trigger(),
      node("helper", "agent", {
        model,
        prompt: "File it",
        tools: [
          { server: "desk", tool: "echo" },
          { server: "desk", tool: "create_ticket" },
        ],
      }),
    ],
    [edge("start", "helper")],
  );

/** Tool results the model was sent, per request (OpenAI Responses / Anthropic Messages bodies). */
function toolResultsSent(body: unknown): string[] {
  const b = body as { input?: unknown[]; messages?: unknown[] };
  const out: string[] = [];
  for (const item of (b.input ?? []) as { type?: string; output?: unknown }[])
    if (item.type === "function_call_output") out.push(String(item.output));
  for (const m of (b.messages ?? []) as { content?: unknown }[])
    if (Array.isArray(m.content))
      for (const part of m.content as { type?: string; content?: unknown }[])
        if (part.type === "tool_result") out.push(JSON.stringify(part.content));
  return out;
}

describe("approval-gated tools on a real provider", () => {
  it.each([
    ["oa", "OpenAI Responses", false],
    ["ant", "Anthropic Messages", false],
    ["oa", "OpenAI Responses, streamed", true],
    ["ant", "Anthropic Messages, streamed", true],
  ])(
    "%s (%s): two gated calls in one model turn get two approvals; the model goes on from the conversation",
    async (provider, _name, stream) => {
      const t = engine(["echo", "create_ticket"], stream);
      const before = mcpServer.calls.length;
      const first = await t.engine.execute({ document: doc(`${provider}:fake-tools`) }, {});
      expect(first.status).toBe("waiting");
      expect(mcpServer.calls.length).toBe(before);
      const [a1] = await t.store.listApprovals({ runId: first.runId });
      expect(a1).toMatchObject({ seq: 0, payload: { tool: "echo" } });

      const second = await t.engine.decide(a1!.id, {
        decision: "approve",
        by: "a",
        data: { arguments: { text: "edited echo" } },
      });
      expect(second.status).toBe("waiting");
      // Deciding the first call made it, and did not call the model again yet.
      expect(fake.requests.filter((r) => r.protocol !== "models")).toHaveLength(1);
      const a2 = (await t.store.listApprovals({ runId: first.runId })).find((a) => a.status === "pending");
      expect(a2).toMatchObject({ seq: 1, payload: { tool: "create_ticket" } });

      const done = await t.engine.decide(a2!.id, { decision: "reject", by: "a", comment: "not today" });
      expect(done.status).toBe("succeeded");
      expect(mcpServer.calls.slice(before).map((c) => [c.tool, c.arguments])).toEqual([
        ["echo", { text: "edited echo" }],
      ]);
      const sent = fake.requests.filter((r) => r.protocol !== "models");
      expect(sent).toHaveLength(2);
      const results = toolResultsSent(sent[1]!.body).join(" ");
      expect(results).toContain("edited echo");
      expect(results).toContain("A person refused the call of “create_ticket” on “desk”: not today");
      expect(String(done.output)).toMatch(/^Tool results /);
    },
  );

  it("a read-only call in the same turn runs in the loop; only the gated one waits, and neither is repeated", async () => {
    const t = engine(["create_ticket"]);
    const before = mcpServer.calls.length;
    const first = await t.engine.execute({ document: doc("oa:fake-tools") }, {});
    expect(first.status).toBe("waiting");
    expect(mcpServer.calls.slice(before).map((c) => c.tool)).toEqual(["echo"]);
    const [a1] = await t.store.listApprovals({ runId: first.runId });
    const done = await t.engine.decide(a1!.id, { decision: "approve", by: "a" });
    expect(done.status).toBe("succeeded");
    expect(mcpServer.calls.slice(before).map((c) => c.tool)).toEqual(["echo", "create_ticket"]);
    const sent = fake.requests.filter((r) => r.protocol !== "models");
    expect(sent).toHaveLength(2);
    expect(toolResultsSent(sent[1]!.body)).toHaveLength(2);
  });
});
