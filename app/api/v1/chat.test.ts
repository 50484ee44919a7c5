// Chat outside the editor, end to end without Next: POST /api/v1/workflows/<id>/chat on a real
// database and host, the agent calling a real model path — the fake provider server on 127.0.0.1
// as an OpenAI-compatible provider that streams its reply slowly. The reply's pieces arrive as
// `event: delta` frames while the run is still running, then `event: reply` with the whole reply.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { edge, node, workflow } from "@/lib/engine/testing/builders";
import { readEnv } from "@/lib/env";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { type SessionClaims, setServerContextForTests } from "@/lib/server/context";
import { addProvider, allowEgressHost } from "@/lib/use-cases/models";
import { scopeOf } from "@/lib/use-cases/scope";
import { importWorkflowAndPublish } from "@/lib/use-cases/workflows";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { POST as chat } from "./workflows/[id]/chat/route";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

const SECRET_KEY = "chat-test-vault-key-0123456789abcdefghijkl";
const PIECES = [
  "Hello! Your refund was sent on Monday. ",
  "It usually takes three to five days. ",
  "Anything else I can help you with today?",
];
const REPLY = PIECES.join("");

function chatDoc(kind: "chat" | "manual") {
  return workflow(
    [
      node("start", "trigger", { kind }),
      node("reply", "agent", { model: "local:fake-ok", prompt: "{{ input.messages[-1].content }}" }),
      node("done", "end", { output: "{{ nodes.reply.output }}" }),
    ],
    [edge("start", "reply"), edge("reply", "done")],
    {
      name: `Support chat ${kind} ${Math.random()}`,
      input: {
        type: "object",
        properties: { messages: { type: "array", description: "The conversation" } },
        required: ["messages"],
      },
    },
  );
}

type Frame = { event: string; data: Record<string, unknown>; at: number };

/** Reads the whole SSE body, noting when each frame arrived. */
async function frames(res: Response): Promise<Frame[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const out: Frame[] = [];
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const raw = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event = /^event: (.*)$/m.exec(raw)?.[1] ?? "message";
      const data = /^data: (.*)$/m.exec(raw)?.[1];
      if (data) out.push({ event, data: JSON.parse(data) as Record<string, unknown>, at: Date.now() });
      cut = buffer.indexOf("\n\n");
    }
  }
  return out;
}

describe("POST /api/v1/workflows/{id}/chat", () => {
  let fake: FakeProvider;
  let db: Awaited<ReturnType<typeof openTestSqlite>>;
  let host: TestHost;
  let fx: Fixture;
  let chatId: string;
  let manualId: string;
  let session: SessionClaims | null = null;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    fake = await startFakeProvider({});
    db = await openTestSqlite();
    fx = await seedWorkspace(db);
    host = await createTestHost({
      db,
      env: readEnv({ SWITCHBOARD_SECRET_KEY: SECRET_KEY, SWITCHBOARD_DATA_DIR: "/nonexistent" }),
    });
    setServerContextForTests({ host: async () => host, readSession: async () => session });
    const admin = fx.users.admin;
    await addProvider(host.platform, admin, {
      name: "local",
      kind: "openai-compatible",
      baseUrl: fake.baseUrls.openaiCompatible,
    });
    await allowEgressHost(host.platform, admin, { host: new URL(fake.url).host });
    chatId = (await importWorkflowAndPublish(db, scopeOf(admin), { document: chatDoc("chat"), publish: true })).id;
    manualId = (await importWorkflowAndPublish(db, scopeOf(admin), { document: chatDoc("manual"), publish: true })).id;
    for (const [name, scopes, role] of [
      ["writer", ["runs:write"], "editor"],
      ["reader", ["runs:read"], "editor"],
      ["viewer", ["runs:write"], "viewer"],
    ] as const) {
      keys[name] = (
        await createApiKey(db.prisma, {
          workspaceId: fx.workspaceId,
          name,
          role,
          createdById: null,
          scopes: [...scopes],
        })
      ).key;
    }
  }, 60_000);
  afterAll(async () => {
    setServerContextForTests(null);
    await host?.dispose();
    await db?.dispose();
    await fake?.stop();
  });

  const post = (id: string, body: unknown, headers: Record<string, string>) =>
    chat(
      new Request(`http://x/api/v1/workflows/${id}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({ id }) },
    );
  const messages = [
    { role: "user", content: "Hi" },
    { role: "assistant", content: "Hello, how can I help?" },
    { role: "user", content: "Where is my refund?" },
  ];

  it("streams the model's tokens as deltas before the run ends, then the reply", async () => {
    fake.enqueue({ kind: "ok", text: REPLY, chunks: 3, chunkDelayMs: 400 });
    const res = await post(chatId, { messages }, { authorization: `Bearer ${keys.writer}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const got = await frames(res);

    expect(got[0]).toMatchObject({ event: "run", data: { runId: expect.any(String), version: 1 } });
    const runId = String(got[0]?.data.runId);
    const deltas = got.filter((f) => f.event === "delta");
    expect(deltas.length).toBeGreaterThanOrEqual(3);
    expect(deltas.map((d) => d.data.text).join("")).toBe(REPLY);
    expect(deltas.every((d) => d.data.nodeId === "reply")).toBe(true);
    const reply = got.at(-1)!;
    expect(reply).toMatchObject({
      event: "reply",
      data: { runId, status: "succeeded", reply: REPLY, waitingOnPerson: false, error: null },
    });

    // the tokens arrived while the run was still running: well before its step (and so the run) ended
    const step = await db.prisma.step.findFirstOrThrow({ where: { runId, nodeId: "reply" } });
    expect(deltas[0]!.at).toBeLessThan(step.endedAt!.getTime() - 400);
    expect(deltas[1]!.at).toBeLessThan(step.endedAt!.getTime() - 100);
    // the model saw the conversation's last message, through the real provider path
    expect(JSON.stringify(fake.requests.at(-1)?.body)).toContain("Where is my refund?");

    // the run: trigger chat, the conversation as input, audited as started by the API key
    const run = await db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    expect(run).toMatchObject({ trigger: "chat", status: "succeeded", input: { messages } });
    const audit = await db.prisma.auditEntry.findMany({ where: { action: "run.started", targetId: runId } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.data).toMatchObject({ trigger: "chat" });
    expect(audit[0]?.actorLabel).toContain("writer");
  }, 30_000);

  it("works for a signed-in member (same-origin session)", async () => {
    fake.enqueue({ kind: "ok", text: "Hi there.", chunks: 2, chunkDelayMs: 10 });
    session = { userId: fx.users.editor.userId, workspaceId: fx.workspaceId };
    try {
      const res = await post(
        chatId,
        { messages: [{ role: "user", content: "Hi" }] },
        { origin: "http://x", host: "x" },
      );
      expect(res.status).toBe(200);
      const got = await frames(res);
      expect(got.at(-1)).toMatchObject({ event: "reply", data: { status: "succeeded", reply: "Hi there." } });
      const run = await db.prisma.run.findUniqueOrThrow({ where: { id: String(got[0]?.data.runId) } });
      expect(run.startedById).toBe(fx.users.editor.userId);
    } finally {
      session = null;
    }
  }, 30_000);

  it("refuses before starting anything: not a chat trigger 409, no such workflow 404, scope or role 403, bad body 400", async () => {
    const before = await db.prisma.run.count();
    const body = { messages: [{ role: "user", content: "Hi" }] };
    const writer = { authorization: `Bearer ${keys.writer}` };
    const notChat = await post(manualId, body, writer);
    expect(notChat.status).toBe(409);
    expect(notChat.headers.get("content-type")).toBe("application/problem+json");
    expect(((await notChat.json()) as { detail: string }).detail).toMatch(/does not start by chat/);
    expect((await post("wf_nope", body, writer)).status).toBe(404);
    expect((await post(chatId, body, { authorization: `Bearer ${keys.reader}` })).status).toBe(403);
    expect((await post(chatId, body, { authorization: `Bearer ${keys.viewer}` })).status).toBe(403);
    const bad = await post(chatId, { messages: [{ role: "system", content: "x" }] }, writer);
    expect(bad.status).toBe(400);
    expect((await post(chatId, body, {})).status).toBe(401);
    expect(await db.prisma.run.count()).toBe(before);
  });
});
