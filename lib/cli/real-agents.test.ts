// Real agents end to end, across processes: a workflow with two agents on two providers of
// different kinds (Anthropic Messages and an OpenAI-compatible server, both played by the fake
// provider on 127.0.0.1), configured through the admin use cases, run by `switchboard run`.
//
// - the first agent's first call gets a 429 with Retry-After: 1; the engine waits a second and
//   its next attempt answers (a new Idempotency-Key: a retry after an error is a new request);
// - the second agent streams slowly; the `switchboard run` process is SIGKILLed while its stream
//   is half-way; `switchboard recover` re-runs the interrupted call with the SAME Idempotency-Key;
// - outputs, token counts (the fake's usage) and costs (a default price of the Anthropic kind, an
//   admin's price for the local model) end up on the steps and the run.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { cliWorkspace } from "../db/workflows-store";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { readEnv } from "../env";
import { createTestHost } from "../host-testing";
import { DEFAULT_MODEL_PRICES } from "../providers";
import { addProvider, setPrice } from "../use-cases/models";
import { type CliDatabase, cliSqlite, spawnCli, until } from "./spawn-cli";

const SECRET = "test-secret-key-for-the-vault-0123456789abcdef";
const ENV = {
  SWITCHBOARD_SECRET_KEY: SECRET,
  SWITCHBOARD_ALLOW_PRIVATE_NETWORK: "1",
  SWITCHBOARD_NOTIFICATIONS: "0",
  // the CLI streams model tokens only when asked (nobody watches it live)
  SWITCHBOARD_STREAM_TOKENS: "1",
} as const;

const DOC = workflow(
  [
    trigger(),
    node("triage", "agent", {
      model: "claude:claude-haiku-4-5",
      instructions: "You sort customer messages.",
      prompt: "Sort this: {{ input.message }}",
      maxOutputTokens: 200,
    }),
    node("reply", "agent", {
      model: "local:fake-ok",
      instructions: "You write short replies.",
      prompt: "Reply to: {{ input.message }} (triage said {{ nodes.triage.output }})",
      temperature: 0.2,
    }),
    node("done", "end", { output: { triage: "{{ nodes.triage.output }}", reply: "{{ nodes.reply.output }}" } }),
  ],
  [edge("start", "triage"), edge("triage", "reply"), edge("reply", "done")],
  { name: "Two providers" },
);

const tokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

describe("two agents on two providers, a 429 and a SIGKILL mid-stream (SQLite, real processes)", () => {
  let fake: FakeProvider;
  let dir: string;
  let cli: CliDatabase;
  beforeAll(async () => {
    fake = await startFakeProvider({ chunks: 8 });
    dir = mkdtempSync(join(tmpdir(), "switchboard-agents-"));
    cli = await cliSqlite(dir);
    // The admin's side, as Settings → Models or `switchboard providers` would do it.
    const host = await createTestHost({ db: cli.db, env: { ...readEnv(), ...ENV } });
    try {
      const ws = await cliWorkspace(cli.db);
      const caller = { workspaceId: ws.id, actor: { label: "test" } };
      await addProvider(host.platform, caller, {
        name: "claude",
        kind: "anthropic",
        baseUrl: fake.baseUrls.anthropic,
        apiKey: "sk-ant-e2e",
      });
      await addProvider(host.platform, caller, {
        name: "local",
        kind: "openai-compatible",
        baseUrl: fake.baseUrls.openaiCompatible,
      });
      await setPrice(host.platform, caller, { model: "local:fake-ok", inputPerMTok: 0.5, outputPerMTok: 1.5 });
    } finally {
      await host.close();
    }
    writeFileSync(join(dir, "wf.json"), JSON.stringify(DOC));
  }, 60_000);
  afterAll(async () => {
    await fake?.stop();
    await cli?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs end to end: outputs, tokens, costs, the 429 honoured, the killed stream re-run with the same key", async () => {
    // 1st request (triage): 429 with Retry-After: 1. Later requests: by model name (fake-ok, or an echo).
    fake.enqueue({ kind: "error", status: 429, retryAfter: "1" });
    // The reply streams 8 pieces 400 ms apart: plenty of time to kill the process mid-stream.
    fake.configure({ chunkDelayMs: 400 });
    const env = { ...cli.env, ...ENV };
    const run = spawnCli(
      ["run", join(dir, "wf.json"), "--json", "--input", '{"message":"Where is my refund?"}'],
      env,
      dir,
    );

    const streaming = await until(
      "the reply's streamed request",
      async () => fake.requests.find((r) => r.model === "fake-ok" && r.stream === true) ?? null,
      60_000,
    );
    // half-way through the stream
    await new Promise((r) => setTimeout(r, 1000));
    run.kill("SIGKILL");
    const killed = await run.output;
    expect(killed.signal).toBe("SIGKILL");
    expect(killed.stdout).toBe("");

    fake.configure({ chunkDelayMs: 0 });
    const recover = spawnCli(["recover", "--json"], env, dir);
    const recovered = await recover.output;
    expect(recovered.code, recovered.stderr).toBe(0);

    const runRow = await until("the run to succeed", async () => {
      const r = await cli.db.prisma.run.findFirst({ where: { workflow: { name: "Two providers" } } });
      return r?.status === "succeeded" ? r : null;
    });
    const runId = runRow.id;

    // ---- requests and their keys
    const triage = fake.requests.filter((r) => r.protocol === "anthropic");
    expect(triage.map((r) => r.scenario?.kind)).toEqual(["error", "ok"]);
    expect(triage.map((r) => r.headers["idempotency-key"])).toEqual([`${runId}:triage:1:1:1`, `${runId}:triage:1:2:1`]);
    expect(triage[1]!.headers["x-api-key"]).toBe("sk-ant-e2e");
    const reply = fake.requests.filter((r) => r.model === "fake-ok");
    expect(reply).toHaveLength(2);
    expect(reply.every((r) => r.stream === true)).toBe(true);
    // the interrupted call and its re-run after the crash: the same key
    expect(reply[0]).toBe(streaming);
    expect(reply.map((r) => r.headers["idempotency-key"])).toEqual([`${runId}:reply:1:1:1`, `${runId}:reply:1:1:1`]);
    // temperature and max output tokens reached the providers
    expect((triage[1]!.body as { max_tokens?: number }).max_tokens).toBe(200);
    expect((reply[1]!.body as { temperature?: number }).temperature).toBe(0.2);

    // ---- steps: attempts, outputs, tokens, costs
    const steps = await cli.db.prisma.step.findMany({ where: { runId }, orderBy: [{ startedAt: "asc" }] });
    const of = (nodeId: string) => steps.filter((s) => s.nodeId === nodeId);
    expect(of("triage").map((s) => [s.attempt, s.status])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    expect((of("triage")[0]!.error as { code: string }).code).toBe("rate_limit");
    expect(of("reply").map((s) => [s.attempt, s.status])).toEqual([
      [1, "failed"],
      [2, "succeeded"],
    ]);
    expect((of("reply")[0]!.error as { code: string }).code).toBe("interrupted");
    const events = await cli.db.prisma.runEvent.findMany({ where: { runId }, orderBy: { seq: "asc" } });
    const retrying = events.find((e) => e.type === "step.retrying")!;
    expect(retrying.data).toMatchObject({ nodeId: "triage", delayMs: 1000, error: { code: "rate_limit" } });

    const okTriage = of("triage")[1]!;
    const okReply = of("reply")[1]!;
    expect(okTriage).toMatchObject({ model: "claude:claude-haiku-4-5", simulated: false });
    expect(okTriage.output).toMatch(/^Echo [0-9a-f]{12}: Sort this: Where is my refund\?$/);
    expect(okReply.output).toMatch(/^Echo [0-9a-f]{12}: Reply to: Where is my refund\? \(triage said Echo /);
    // the fake counts about 4 characters a token of what it answered
    expect(okTriage.outputTokens).toBe(tokens(okTriage.output as string));
    expect(okReply.outputTokens).toBe(tokens(okReply.output as string));
    expect(okTriage.inputTokens).toBeGreaterThan(5);
    expect(okReply.inputTokens).toBeGreaterThan(5);
    // cost from the price table: the Anthropic kind's default price, and the admin's price
    const haiku = DEFAULT_MODEL_PRICES.anthropic?.["claude-haiku-4-5"];
    if (!haiku) throw new Error("no default price for claude-haiku-4-5");
    expect(okTriage.costUsd).toBeCloseTo(
      (okTriage.inputTokens * haiku.inputPerMTok + okTriage.outputTokens * haiku.outputPerMTok) / 1e6,
      12,
    );
    expect(okReply.costUsd).toBeCloseTo((okReply.inputTokens * 0.5 + okReply.outputTokens * 1.5) / 1e6, 12);
    expect(runRow.inputTokens).toBe(okTriage.inputTokens + okReply.inputTokens);
    expect(runRow.outputTokens).toBe(okTriage.outputTokens + okReply.outputTokens);
    expect(runRow.costUsd).toBeCloseTo(okTriage.costUsd + okReply.costUsd, 12);
    expect(runRow.output).toEqual({ triage: okTriage.output, reply: okReply.output });
  }, 120_000);
});
