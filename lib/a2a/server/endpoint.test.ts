// /api/a2a over real HTTP on 127.0.0.1, driven by the official A2A client (@a2a-js/sdk 1.x) and by
// Switchboard's own a2a node (two Switchboard instances talking A2A): cards, message/send and
// message/stream, tasks/get and tasks/cancel, a run waiting for a person as input-required,
// failures, API keys and scopes.
import { Role, TaskState } from "@a2a-js/sdk";
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
} from "@a2a-js/sdk/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { createTestEngine } from "@/lib/testing/test-engine";
import { publishOfferedWorkflow } from "@/tests/support/interop";
import { type ServedFetch, serveFetch } from "@/tests/support/serve-fetch";
import { createA2aClient } from "../client";
import { createA2aEndpoint } from "./endpoint";

type TestDb = Awaited<ReturnType<typeof openTestSqlite>>;
let db: TestDb;
let fx: Fixture;
let host: TestHost;
let served: ServedFetch;
const ids: Record<string, string> = {};
const keys: Record<string, string> = {};

async function offer(key: string, name: string, document: Record<string, unknown>, exposeA2a = true) {
  const description = `${name}, described`;
  ids[key] = await publishOfferedWorkflow(db, fx.workspaceId, { name, description, document, version: 3, exposeA2a });
}

beforeAll(async () => {
  db = await openTestSqlite();
  fx = await seedWorkspace(db);
  host = await createTestHost({ db });
  await offer("refund", "Refund request", {
    input: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "out", type: "end", config: { output: { doubled: "{{ input.amount * 2 }}" } } },
    ],
    edges: [{ source: "start", target: "out" }],
  });
  await offer("greet", "Greeter", {
    input: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "out", type: "end", config: { output: "Hello, {{ input.name }}" } },
    ],
    edges: [{ source: "start", target: "out" }],
  });
  await offer("person", "Needs a person", {
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      {
        id: "ok",
        type: "approval",
        config: { title: "OK?", assignees: { roles: ["admin"], users: [] }, timeoutMs: null },
      },
    ],
    edges: [{ source: "start", target: "ok" }],
  });
  await offer("checked", "Checked refund", {
    input: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      {
        id: "check",
        type: "approval",
        config: { title: "Refund {{ input.amount }}?", assignees: { roles: ["editor"], users: [] }, timeoutMs: null },
      },
      { id: "out", type: "end", config: { output: { refunded: "{{ input.amount }}" } } },
    ],
    edges: [
      { source: "start", target: "check" },
      { source: "check", target: "out" },
    ],
  });
  await offer("failing", "Failing", {
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "boom", type: "transform", config: { expression: "$error('out of stock')" } },
    ],
    edges: [{ source: "start", target: "boom" }],
  });
  await offer(
    "hidden",
    "Hidden",
    { nodes: [{ id: "start", type: "trigger", config: { kind: "manual" } }], edges: [] },
    false,
  );
  for (const [name, role, scopes] of [
    ["editor", "editor", ["a2a"]],
    ["mcpOnly", "editor", ["mcp"]],
  ] as const)
    keys[name] = (
      await createApiKey(db, { workspaceId: fx.workspaceId, name, role, createdById: null, scopes: [...scopes] })
    ).key;
  let base = "";
  const endpoint = createA2aEndpoint(async () => ({
    db,
    env: { PORT: 3000, SWITCHBOARD_PUBLIC_URL: base },
    engine: host.engine,
    dispatcher: host.dispatcher,
    store: host.store,
    notifier: host.notifier,
    approvals: host.approvals,
  }));
  served = await serveFetch((request, path) => {
    const m = /^\/api\/a2a\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (!m) return Promise.resolve(new Response("no", { status: 404 }));
    return endpoint(request, decodeURIComponent(m[1]!), m[2] ? m[2].split("/") : []);
  });
  base = served.url;
});

afterAll(async () => {
  await served?.close();
  await host?.dispose();
  await db?.dispose();
});

const cardUrl = (key: string) => `${served.url}/api/a2a/${ids[key]}/.well-known/agent-card.json`;

async function sdkClient(key: string, apiKey = keys.editor!) {
  const withKey: typeof fetch = (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${apiKey}`);
    return fetch(input, { ...init, headers });
  };
  const factory = new ClientFactory(
    ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
      transports: [new JsonRpcTransportFactory({ fetchImpl: withKey })],
      cardResolver: new DefaultAgentCardResolver({ fetchImpl: withKey }),
    }),
  );
  return factory.createFromUrl(cardUrl(key), "");
}

let n = 0;
const message = (part: { text: string } | { data: unknown }) => ({
  tenant: "",
  message: {
    messageId: `m-${++n}`,
    contextId: "",
    taskId: "",
    role: Role.ROLE_USER,
    parts: [
      "text" in part
        ? {
            content: { $case: "text" as const, value: part.text },
            metadata: undefined,
            filename: "",
            mediaType: "text/plain",
          }
        : {
            content: { $case: "data" as const, value: part.data },
            metadata: undefined,
            filename: "",
            mediaType: "application/json",
          },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  },
  configuration: undefined,
  metadata: undefined,
});

describe("/api/a2a", () => {
  it("serves each offered workflow's card: skills from its description and inputs, bearer auth", async () => {
    const res = await fetch(cardUrl("refund"));
    expect(res.status).toBe(200);
    const card = await res.json();
    expect(card).toMatchObject({
      name: "Refund request",
      description: "Refund request, described",
      version: "3",
      supportedInterfaces: [
        { url: `${served.url}/api/a2a/${ids.refund}`, protocolBinding: "JSONRPC", protocolVersion: "1.0" },
      ],
      capabilities: { streaming: true },
      skills: [{ id: ids.refund, name: "Refund request", description: expect.stringContaining("Inputs: amount") }],
    });
    expect((await fetch(cardUrl("hidden"))).status).toBe(404);
    expect((await fetch(`${served.url}/api/a2a/nope/.well-known/agent-card.json`)).status).toBe(404);
  });

  it("message/send runs the workflow and returns the completed task with the output", async () => {
    const client = await sdkClient("refund");
    const task = (await client.sendMessage(message({ data: { amount: 21 } }))) as {
      id: string;
      status: { state: TaskState };
      artifacts: { parts: { content: { $case: string; value: unknown } }[] }[];
    };
    expect(task.status.state).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(task.artifacts[0]!.parts[0]!.content).toEqual({ $case: "data", value: { doubled: 42 } });
    const run = await db.prisma.run.findUnique({ where: { id: task.id } });
    expect(run).toMatchObject({ status: "succeeded", trigger: "a2a", workflowId: ids.refund });
    const again = await client.getTask({ tenant: "", id: task.id, historyLength: 0 });
    expect(again.status?.state).toBe(TaskState.TASK_STATE_COMPLETED);
  });

  it("message/stream streams the task to its end; text goes to the only string input", async () => {
    const client = await sdkClient("greet");
    const states: TaskState[] = [];
    let output: unknown;
    for await (const event of client.sendMessageStream(message({ text: "Ada" }))) {
      const p = event.payload;
      if (p?.$case === "task") states.push(p.value.status!.state);
      if (p?.$case === "statusUpdate") states.push(p.value.status!.state);
      if (p?.$case === "artifactUpdate") output = p.value.artifact?.parts[0]?.content;
    }
    expect(states.at(-1)).toBe(TaskState.TASK_STATE_COMPLETED);
    expect(output).toEqual({ $case: "text", value: "Hello, Ada" });
  });

  it("a run waiting for a person is input-required with its link; tasks/cancel cancels the run", async () => {
    const client = await sdkClient("person");
    const task = (await client.sendMessage(message({ data: {} }))) as {
      id: string;
      status: { state: TaskState; message?: { parts: { content: { value: string } }[] } };
    };
    expect(task.status.state).toBe(TaskState.TASK_STATE_INPUT_REQUIRED);
    expect(task.status.message?.parts[0]?.content.value).toBe(
      `OK?\n\nReply "approve" (optionally with a comment) or "reject <reason>" in this task to decide it, or decide in Switchboard: ${served.url}/runs/${task.id}`,
    );
    const more = await client
      .sendMessage({
        ...message({ text: "maybe" }),
        message: { ...message({ text: "maybe" }).message, taskId: task.id },
      })
      .catch((e) => e);
    expect(String(more.message)).toMatch(/waits for a person in Switchboard \(“OK\?”\)/);
    // the approval is assigned to admins: this editor's key may not decide it
    const refused = await client
      .sendMessage({
        ...message({ text: "approve" }),
        message: { ...message({ text: "approve" }).message, taskId: task.id },
      })
      .catch((e) => e);
    expect(String(refused.message)).toMatch(/Only an assignee/);
    const cancelled = await client.cancelTask({ tenant: "", id: task.id, metadata: undefined });
    expect(cancelled.status?.state).toBe(TaskState.TASK_STATE_CANCELED);
    expect((await db.prisma.run.findUnique({ where: { id: task.id } }))?.status).toBe("cancelled");
    await expect(client.getTask({ tenant: "", id: "not-a-task", historyLength: 0 })).rejects.toThrow(/no task/);
  });

  it("a failed run is a failed task with the error; bad input is refused and starts no run", async () => {
    const failing = await sdkClient("failing");
    const task = (await failing.sendMessage(message({ data: {} }))) as {
      status: { state: TaskState; message?: { parts: { content: { value: string } }[] } };
    };
    expect(task.status.state).toBe(TaskState.TASK_STATE_FAILED);
    expect(task.status.message?.parts[0]?.content.value).toMatch(/out of stock/);
    const before = await db.prisma.run.count();
    const refund = await sdkClient("refund");
    await expect(refund.sendMessage(message({ data: { amount: "lots" } }))).rejects.toThrow(/input schema/);
    expect(await db.prisma.run.count()).toBe(before);
  });

  it("refuses calls without a key or with a key without the a2a scope; unknown agents are 404", async () => {
    const post = (id: string, headers: Record<string, string>) =>
      fetch(`${served.url}/api/a2a/${id}`, {
        method: "POST",
        headers: { "content-type": "application/json", "a2a-version": "1.0", ...headers },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: "x" } }),
      });
    expect((await post(ids.refund!, {})).status).toBe(401);
    const scoped = await post(ids.refund!, { authorization: `Bearer ${keys.mcpOnly}` });
    expect(scoped.status).toBe(403);
    expect((await post(ids.hidden!, { authorization: `Bearer ${keys.editor}` })).status).toBe(404);
    const evil = await fetch(`${served.url}/api/a2a/${ids.refund}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        origin: "https://evil.example",
        authorization: `Bearer ${keys.editor}`,
      },
      body: "{}",
    });
    expect(evil.status).toBe(403);
  });

  /** An engine whose a2a nodes may call the served Switchboard, as the editor's key. */
  const engineCallingServed = () =>
    createTestEngine({
      a2a: createA2aClient({
        egress: () => ({ allowHosts: [`127.0.0.1:${served.port}`] }),
        credentials: { get: async (_ws, name) => (name === "other-switchboard" ? keys.editor! : null) },
      }),
    });

  it("two Switchboards: the a2a node of one runs a workflow of the other and gets its output", async () => {
    const t = engineCallingServed();
    const doc = workflow(
      [
        trigger(),
        node("ask", "a2a", {
          agentCardUrl: cardUrl("refund"),
          message: '{"amount": {{ input.n }}}',
          credential: "other-switchboard",
        }),
        node("out", "end", { output: "{{ nodes.ask.output.data[0].doubled }}" }),
      ],
      [edge("start", "ask"), edge("ask", "out")],
    );
    const result = await t.engine.execute({ document: doc }, { n: 8 });
    expect(result.status).toBe("succeeded");
    expect(result.output).toBe(16);
  });

  it("two Switchboards: the other's approval is a question in this one's inbox; the answer decides it", async () => {
    const t = engineCallingServed();
    const doc = workflow(
      [
        trigger(),
        node("ask", "a2a", {
          agentCardUrl: cardUrl("checked"),
          message: '{"amount": {{ input.n }}}',
          credential: "other-switchboard",
        }),
        node("out", "end", { output: "{{ nodes.ask.output.data[0].refunded }}" }),
      ],
      [edge("start", "ask"), edge("ask", "out")],
    );
    const waiting = await t.engine.execute({ document: doc }, { n: 30 });
    expect(waiting.status).toBe("waiting");
    const [question] = await t.store.listApprovals({ runId: waiting.runId });
    expect(question!.title).toMatch(/^Checked refund asks: Refund 30\?/);
    const remoteRunId = (question!.payload as { taskId: string }).taskId;
    expect((await db.prisma.run.findUnique({ where: { id: remoteRunId } }))?.status).toBe("waiting");
    const done = await t.engine.decide(question!.id, {
      decision: "approve",
      by: "u",
      data: { answer: "approve: checked the receipt" },
    });
    expect(done.status).toBe("succeeded");
    expect(done.output).toBe(30);
    const remote = await db.prisma.approval.findFirst({ where: { runId: remoteRunId } });
    expect(remote).toMatchObject({ status: "approved", decidedById: expect.stringMatching(/^apikey:/) });
    expect((await db.prisma.run.findUnique({ where: { id: remoteRunId } }))?.status).toBe("succeeded");
  });
});
