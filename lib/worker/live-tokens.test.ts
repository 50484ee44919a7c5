// Streamed tokens across processes on the real PostgreSQL server: a real `switchboard worker`
// child process executes an agent whose model (the fake provider on 127.0.0.1, an
// OpenAI-compatible server) streams its reply slowly; the web server — this process, hearing the
// worker only through the event relay's LISTEN/NOTIFY — gets the tokens as live events while the
// step is still running, redacted (the reply carries the provider's API key), exactly once each,
// and forgets them once the worker commits the step's end. The same for a run `switchboard run`
// executes in its own process.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { type CliChild, type CliDatabase, cliPostgres, spawnCli, until } from "../cli/spawn-cli";
import { type Db, openDb } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { cliWorkspace } from "../db/workflows-store";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { readEnv } from "../env";
import { createHost, type Host } from "../host";
import { addProvider } from "../use-cases/models";
import { REDACTED } from "../vault";

const API_KEY = "sk-relay-test-0123456789abcdefXYZ";
const ENV = {
  SWITCHBOARD_SECRET_KEY: "test-secret-key-for-the-vault-0123456789abcdef",
  SWITCHBOARD_ALLOW_PRIVATE_NETWORK: "1",
  SWITCHBOARD_NOTIFICATIONS: "0",
} as const;

// Four streamed pieces of 40 characters; the key lies inside the second one.
const PIECES = [
  "Hello, this reply streams in four parts.",
  `Key ${API_KEY} here.`.padEnd(40, "."),
  "The third part follows a little later...",
  "And the fourth one ends the reply. Done!",
];
const REPLY = PIECES.join("");

const DOC = workflow(
  [
    trigger(),
    node("reply", "agent", { model: "local:fake-ok", prompt: "Say something", maxOutputTokens: 200 }),
    node("done", "end", { output: "{{ nodes.reply.output }}" }),
  ],
  [edge("start", "reply"), edge("reply", "done")],
  { name: "Streams slowly" },
);

describe("streamed tokens from a worker process reach another process's event streams (PostgreSQL)", () => {
  let fake: FakeProvider;
  let dir: string;
  let cli: CliDatabase;
  let webDb: Db;
  let web: Host;
  let worker: CliChild | null = null;
  beforeAll(async () => {
    fake = await startFakeProvider({ apiKey: API_KEY });
    dir = mkdtempSync(join(tmpdir(), "switchboard-live-tokens-"));
    cli = await cliPostgres();
    webDb = await openDb(cli.db.target);
    web = await createHost({
      role: "web",
      db: webDb,
      execution: "workers",
      env: { ...readEnv(), ...ENV },
      log: () => {},
    });
    await web.start({ relay: { publish: true, listen: true } });
  }, 60_000);
  afterAll(async () => {
    worker?.kill("SIGKILL");
    await web?.close();
    await webDb?.close();
    await cli?.dispose();
    await fake?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("arrive while the step runs, redacted, once each, and are forgotten after the step's end", async () => {
    const ids = await seedWorkflowVersion(webDb, DOC);
    await addProvider(
      web.platform,
      { workspaceId: ids.workspaceId, actor: { label: "test" } },
      { name: "local", kind: "openai-compatible", baseUrl: fake.baseUrls.openaiCompatible, apiKey: API_KEY },
    );
    worker = spawnCli(["worker", "--concurrency", "2"], { ...cli.env, ...ENV }, dir);
    await until("the worker to start", async () => (await cli.db.prisma.executorHeartbeat.count()) > 0, 60_000);

    fake.enqueue({ kind: "ok", text: REPLY, chunks: 4, chunkDelayMs: 500 });
    const { runId } = await web.engine.startRun({ document: DOC, ...ids }, {}, { trigger: "api" });
    const got: { text: string; at: number }[] = [];
    const off = web.notifier.subscribeLive(runId, (e) => got.push({ text: e.text, at: Date.now() }));
    const run = await until(
      "the worker to finish the run",
      async () => {
        const r = await cli.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
        return r.status === "succeeded" || r.status === "failed" ? r : null;
      },
      60_000,
    );
    off();
    expect(run.status).toBe("succeeded");
    expect(run.leaseOwner).toBeNull();
    const step = await cli.db.prisma.step.findFirstOrThrow({ where: { runId, nodeId: "reply" } });
    expect(step.attempt).toBe(1);

    // the web server executed nothing; the worker's tokens came over the relay
    const text = got.map((g) => g.text).join("");
    expect(text).not.toContain(API_KEY);
    expect(text).toBe(REPLY.replace(API_KEY, REDACTED));
    expect(got.length).toBeGreaterThanOrEqual(3);
    // the first pieces arrived well before the step ended (the pieces are 500 ms apart)
    expect(got[0]!.at).toBeLessThan(step.endedAt!.getTime() - 700);
    expect(got[1]!.at).toBeLessThan(step.endedAt!.getTime() - 200);
    // the stored output is redacted the same way
    expect(JSON.stringify(run.output)).not.toContain(API_KEY);
    // the worker committed the step's end: the web server's snapshot of the run is empty again
    await until("the live snapshot to be cleared", async () => web.notifier.liveSnapshot(runId).length === 0, 5_000);
  }, 120_000);

  it("the same for a run `switchboard run` executes in its own process", async () => {
    const ws = await cliWorkspace(webDb);
    await addProvider(
      web.platform,
      { workspaceId: ws.id, actor: { label: "test" } },
      { name: "local", kind: "openai-compatible", baseUrl: fake.baseUrls.openaiCompatible, apiKey: API_KEY },
    );
    writeFileSync(join(dir, "wf.json"), JSON.stringify(DOC));
    fake.enqueue({ kind: "ok", text: REPLY, chunks: 4, chunkDelayMs: 500 });
    const got = new Map<string, { text: string; at: number }[]>();
    const off = web.notifier.subscribeAllLive((runId, e) => {
      if (!got.has(runId)) got.set(runId, []);
      got.get(runId)!.push({ text: e.text, at: Date.now() });
    });
    const run = spawnCli(["run", join(dir, "wf.json"), "--json"], { ...cli.env, ...ENV }, dir);
    const done = await run.output;
    off();
    expect(done.code, done.stderr || done.stdout).toBe(0);
    const runId = (JSON.parse(done.stdout) as { runId: string }).runId;
    const pieces = got.get(runId) ?? [];
    expect(pieces.map((g) => g.text).join("")).toBe(REPLY.replace(API_KEY, REDACTED));
    const step = await cli.db.prisma.step.findFirstOrThrow({ where: { runId, nodeId: "reply" } });
    expect(pieces[0]!.at).toBeLessThan(step.endedAt!.getTime() - 700);
  }, 120_000);
});
