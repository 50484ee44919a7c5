// Redaction through the runtime with the platform's real redactor (a credential sealed in the
// vault): a run's input is stored redacted (started and queued runs), a secret streamed across
// several token pieces never reaches live listeners (the carry-over window), and a literal secret
// typed into a node's config is redacted from what the run stores.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HttpFetcher, LiveRunEvent, ModelGateway } from "@/lib/contracts/ports";
import type { Db } from "@/lib/db/client";
import { seedWorkflowVersion } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createPlatform, type Platform } from "@/lib/use-cases/models/platform";
import { createVault } from "@/lib/vault/seal";
import { createRuntime, type Runtime } from "./engine";
import { createRuntimeNotifier, type RuntimeNotifier } from "./notifier";

const SECRET = "sk-vault-SECRET-7q2w9e4r";
const LITERAL = "lit-typed-TOKEN-5x8c1v";

/** Streams its answer in the pieces given. */
const streamingModel = (pieces: string[]): ModelGateway => ({
  async generate(req) {
    for (const p of pieces) {
      req.onDelta?.({ type: "text", text: p });
      await new Promise((r) => setImmediate(r));
    }
    return { text: pieces.join(""), usage: { inputTokens: 3, outputTokens: 3 }, finishReason: "stop" };
  },
});

/** An http port that answers with the request's headers (so a literal secret comes back in the output). */
const echoHttp: HttpFetcher = {
  async fetch(req) {
    const body = JSON.stringify({ seen: req.headers });
    return { status: 200, headers: { "content-type": "application/json" }, body, bytes: body.length, url: req.url };
  },
};

let db: Db & { dispose(): Promise<void> };
let platform: Platform;
let notifier: RuntimeNotifier;
let rt: Runtime;
let workspaceId: string;
const pieces: LiveRunEvent[] = [];

beforeAll(async () => {
  db = await openTestSqlite();
  platform = createPlatform({
    db,
    vault: () => createVault("redaction-gaps-vault-key-0123456789abcdef"),
    allowPrivateNetwork: false,
  });
  notifier = createRuntimeNotifier();
  const publishLive = notifier.publishLive.bind(notifier);
  notifier.publishLive = (id, e) => {
    pieces.push(e);
    publishLive(id, e);
  };
  rt = createRuntime(db, {
    role: "test",
    notifier,
    http: echoHttp,
    models: streamingModel(["The key is sk-va", "ult-SEC", "RET-7q2w9e4r", " and done, sk-"]),
    settings: { redaction: platform.redaction },
  });
});
afterAll(async () => {
  await rt.close();
  notifier.close();
  await db.dispose();
});

async function seeded(doc: ReturnType<typeof workflow>) {
  const ids = await seedWorkflowVersion(db, doc);
  if (!workspaceId) {
    workspaceId = ids.workspaceId;
  }
  await platform.credentials.create(ids.workspaceId, { name: "api", kind: "bearer", value: SECRET });
  platform.invalidate(ids.workspaceId);
  return { document: doc, ...ids };
}

const stored = async (runId: string) =>
  JSON.stringify([
    await db.prisma.run.findUnique({ where: { id: runId } }),
    await db.prisma.step.findMany({ where: { runId } }),
    await db.prisma.runEvent.findMany({ where: { runId } }),
  ]);

describe("redaction gaps", () => {
  it("stores a run's input redacted, for an executed run and a queued one", async () => {
    const doc = workflow([trigger(), node("done", "end", { output: "{{ input.note }}" })], [edge("start", "done")]);
    const source = await seeded(doc);
    const r = await rt.engine.execute(source, { note: `token ${SECRET}` });
    expect(r.status).toBe("succeeded");
    const row = await db.prisma.run.findUniqueOrThrow({ where: { id: r.runId } });
    expect(JSON.stringify(row.input)).toContain("[redacted]");
    expect(await stored(r.runId)).not.toContain(SECRET);

    const queued = await rt.engine.startRun(source, { note: `again ${SECRET}` });
    const q = await db.prisma.run.findUniqueOrThrow({ where: { id: queued.runId } });
    expect(JSON.stringify(q.input)).toBe(JSON.stringify({ note: "again [redacted]" }));
  });

  it("redacts a secret streamed across several pieces before live listeners see any of it", async () => {
    const doc = workflow(
      [trigger(), node("a", "agent", { model: "simulated-stream:x", prompt: "Say it" }), node("done", "end", {})],
      [edge("start", "a"), edge("a", "done")],
    );
    const source = await seeded(doc);
    pieces.length = 0;
    const r = await rt.engine.execute(source, {});
    expect(r.status, JSON.stringify(r.error)).toBe("succeeded");
    const texts = pieces.filter((p) => p.nodeId === "a").map((p) => p.text);
    expect(texts.join("")).toBe("The key is [redacted] and done, ");
    // no piece carries any part of the secret long enough to matter
    for (const t of texts) for (let n = 4; n <= SECRET.length; n++) expect(t).not.toContain(SECRET.slice(0, n));
    expect(await stored(r.runId)).not.toContain(SECRET);
  });

  it("redacts a literal secret typed into a node's config from what the run stores", async () => {
    const doc = workflow(
      [
        trigger(),
        node("call", "http", {
          method: "GET",
          url: `https://api.example.com/items?api_key=${LITERAL}q`,
          headers: { Authorization: `Bearer ${LITERAL}` },
        }),
        node("done", "end", { output: "{{ nodes.call.output }}" }),
      ],
      [edge("start", "call"), edge("call", "done")],
    );
    const source = await seeded(doc);
    const r = await rt.engine.execute(source, {});
    expect(r.status, JSON.stringify(r.error)).toBe("succeeded");
    const all = await stored(r.runId);
    expect(all).toContain("[redacted]");
    expect(all).not.toContain(LITERAL);
    expect(JSON.stringify(r.output)).not.toContain(LITERAL);
  });
});
