// A plain HTTP agent — no framework, no protocol: a tiny JSON-over-HTTP server on 127.0.0.1 that
// asks a model (the fake provider, OpenAI chat completions over fetch) — joined to a workflow by
// the http node. Its reply is data, its failure takes the step's error outcome.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";

let fake: FakeProvider;
let server: Server;
let agentUrl = "";
const seen: { task: unknown; key: string | undefined }[] = [];

beforeAll(async () => {
  fake = await startFakeProvider();
  // The whole agent: POST /agent { task } → { answer }.
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const { task } = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    seen.push({ task, key: req.headers["idempotency-key"] as string | undefined });
    if (typeof task !== "string" || !task) {
      res.writeHead(422, { "content-type": "application/json" }).end('{"error":"task is required"}');
      return;
    }
    const model = await fetch(`${fake.baseUrls.openai}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer k" },
      body: JSON.stringify({
        model: "fake-ok",
        messages: [
          { role: "system", content: "You summarise tasks." },
          { role: "user", content: task },
        ],
      }),
    });
    const body = (await model.json()) as { choices: { message: { content: string } }[] };
    res
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify({ answer: body.choices[0]!.message.content, agent: "plain-http" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  agentUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await fake?.stop();
});

const doc = () =>
  workflow(
    [
      trigger(),
      node("agent", "http", { method: "POST", url: agentUrl, body: { task: "{{ input.task }}" } }),
      node("out", "end", { output: "{{ nodes.agent.output.body.answer }}" }),
      node("failed", "end", { output: "{{ nodes.agent.output.error.message }}" }),
    ],
    [edge("start", "agent"), edge("agent", "out"), edge("agent", "failed", "error")],
  );

describe("a plain HTTP agent through the http node", () => {
  it("posts the task, gets the agent's JSON answer (data, never evaluated) with the step's idempotency key", async () => {
    // Loopback is refused unless an administrator allows private networks (or the host).
    const t = createTestEngine({ settings: { allowPrivateNetwork: true } });
    const result = await t.engine.execute({ document: doc() }, { task: "Summarise {{ run.id }}" });
    expect(result.status).toBe("succeeded");
    expect(result.output).toMatch(/^Echo [0-9a-f]{12}: Summarise \{\{ run\.id \}\}$/);
    expect(seen.at(-1)).toEqual({ task: "Summarise {{ run.id }}", key: `${result.runId}:agent:1` });
    const chat = fake.requests.at(-1)!;
    expect(chat).toMatchObject({ protocol: "openai-chat", model: "fake-ok" });
  });

  it("an agent that refuses the task takes the error outcome; loopback without the admin setting is refused", async () => {
    const t = createTestEngine({ settings: { allowPrivateNetwork: true } });
    const refused = await t.engine.execute({ document: doc() }, { task: "" });
    expect(refused.status).toBe("succeeded");
    expect(refused.output).toMatch(/422/);
    const before = seen.length;
    const guarded = await createTestEngine().engine.execute({ document: doc() }, { task: "x" });
    expect(guarded.output).toMatch(/private|loopback|egress|not allowed/i);
    expect(seen.length).toBe(before);
  });
});
