// An OpenAI Agents SDK (JS) agent, its model pointed at the fake provider, reaching Switchboard
// over MCP: its MCPServerStreamableHttp connects to /api/mcp (served over real HTTP on 127.0.0.1)
// with an API key, the agent sees the offered, published workflow as a tool, calls it in its own
// tool loop — which runs the workflow in Switchboard — and answers from the run's output. And the
// other direction: an Agents SDK agent served over A2A (the official A2A server SDK on Express)
// and handed work by a workflow's a2a step.
import { Agent, MCPServerStreamableHttp, OpenAIChatCompletionsModel, run, setTracingDisabled } from "@openai/agents";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createA2aClient } from "@/lib/a2a/client";
import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { createTestEngine } from "@/lib/testing/test-engine";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { publishOfferedWorkflow, serveMcpEndpoint } from "@/tests/support/interop";
import type { ServedFetch } from "@/tests/support/serve-fetch";
import { serveA2aAgent } from "./serve-a2a";

type TestDb = Awaited<ReturnType<typeof openTestSqlite>>;
let db: TestDb;
let fx: Fixture;
let host: TestHost;
let served: ServedFetch;
let fake: FakeProvider;
let key = "";
let workflowId = "";

beforeAll(async () => {
  // The SDK would export traces to api.openai.com; nothing leaves loopback here.
  setTracingDisabled(true);
  fake = await startFakeProvider();
  db = await openTestSqlite();
  fx = await seedWorkspace(db);
  host = await createTestHost({ db });
  workflowId = await publishOfferedWorkflow(db, fx.workspaceId, {
    name: "Refund request",
    description: "Refunds an order",
    document: {
      input: { type: "object", properties: { amount: { type: "number", minimum: 20 } }, required: ["amount"] },
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        { id: "out", type: "end", config: { output: { refunded: "{{ input.amount }}", by: "switchboard" } } },
      ],
      edges: [{ source: "start", target: "out" }],
    },
    exposeMcp: true,
  });
  key = (
    await createApiKey(db, {
      workspaceId: fx.workspaceId,
      name: "agents-sdk",
      role: "editor",
      createdById: null,
      scopes: ["mcp"],
    })
  ).key;
  served = await serveMcpEndpoint(host);
});

afterAll(async () => {
  await served?.close();
  await host?.dispose();
  await db?.dispose();
  await fake?.stop();
});

describe("an OpenAI Agents SDK agent over MCP", () => {
  it("sees a published workflow as a tool, calls it in its tool loop, and the run happens in Switchboard", async () => {
    // The user's code, as they would write it with the Agents SDK.
    const switchboard = new MCPServerStreamableHttp({
      name: "switchboard",
      url: `${served.url}/api/mcp`,
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    });
    await switchboard.connect();
    try {
      const tools = await switchboard.listTools();
      expect(tools.map((t) => t.name)).toEqual(["refund_request"]);
      const agent = new Agent({
        name: "Support agent",
        instructions: "Refund orders with the refund_request tool.",
        model: new OpenAIChatCompletionsModel(
          new OpenAI({ apiKey: "k", baseURL: fake.baseUrls.openai, maxRetries: 0 }),
          "fake-tool",
        ),
        mcpServers: [switchboard],
      });
      const result = await run(agent, "Please refund order 7.");
      // the fake model called the tool with an example of its schema ({ amount: 20 }), then answered
      const runs = await db.prisma.run.findMany({ where: { workflowId } });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: "succeeded", trigger: "mcp" });
      expect(runs[0]!.output).toEqual({ refunded: 20, by: "switchboard" });
      expect(String(result.finalOutput)).toMatch(/^Tool results [0-9a-f]{12}: /);
      expect(String(result.finalOutput)).toMatch(/"refunded": ?20/);
      const chats = fake.requests.filter((r) => r.protocol === "openai-chat");
      expect(chats).toHaveLength(2);
      expect(JSON.stringify(chats[0]!.body)).toContain("refund_request");
    } finally {
      await switchboard.close();
    }
  });

  it("served over A2A, it is handed work by a workflow's a2a step and its final output is the step's", async () => {
    const agent = new Agent({
      name: "Triage agent",
      instructions: "Classify the request in one word.",
      model: new OpenAIChatCompletionsModel(
        new OpenAI({ apiKey: "k", baseURL: fake.baseUrls.openai, maxRetries: 0 }),
        "fake-ok",
      ),
    });
    const served = await serveA2aAgent({
      name: "Triage (Agents SDK)",
      description: "Classifies requests",
      answer: async (text, signal) => String((await run(agent, text, { signal })).finalOutput),
    });
    try {
      const t = createTestEngine({
        a2a: createA2aClient({ egress: () => ({ allowHosts: [`127.0.0.1:${served.port}`] }) }),
      });
      const doc = workflow(
        [
          trigger(),
          node("triage", "a2a", { agentCardUrl: served.cardUrl, message: "Classify: {{ input.text }}" }),
          node("out", "end", { output: "{{ nodes.triage.output.text }}" }),
        ],
        [edge("start", "triage"), edge("triage", "out")],
      );
      const result = await t.engine.execute({ document: doc }, { text: "my parcel is late" });
      expect(result.status).toBe("succeeded");
      expect(served.received).toEqual(["Classify: my parcel is late"]);
      expect(result.output).toMatch(/^Echo [0-9a-f]{12}: Classify: my parcel is late$/);
    } finally {
      await served.close();
    }
  });

  it("without a key with the mcp scope, connecting is refused", async () => {
    const anonymous = new MCPServerStreamableHttp({ name: "switchboard", url: `${served.url}/api/mcp` });
    await expect(anonymous.connect()).rejects.toThrow();
    await anonymous.close().catch(() => {});
  });
});
