// `switchboard providers|prices|egress|secrets` as a user runs them: the real command (child
// processes) on a fresh data directory, against the fake provider server on 127.0.0.1. The API key
// given to `providers add` is never in the database file (nor its -wal) in clear, nor in any
// output, step, event or export; `secrets rotate` re-seals it and the provider still works.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";

const ROOT = process.cwd();
const BIN = join(ROOT, "bin/switchboard.mjs");
const KEY = "sk-cli-provider-KEY-93d1f0a7b2";

let dir: string;
let dataDir: string;
let fake: FakeProvider;
const outputs: string[] = [];

function switchboard(args: string[], extraEnv: Record<string, string> = {}) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SWITCHBOARD_DATA_DIR: dataDir,
    NODE_OPTIONS: "",
    FAKE_PROVIDER_KEY: KEY,
    ...extraEnv,
  };
  for (const name of [
    "DATABASE_URL",
    "SWITCHBOARD_SEED",
    "SWITCHBOARD_SECRET_KEY",
    "SWITCHBOARD_ALLOW_PRIVATE_NETWORK",
  ])
    if (!(name in extraEnv)) delete env[name];
  const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on("exit", (code) => {
      outputs.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    }),
  );
}

const dbBytes = () =>
  ["switchboard.db", "switchboard.db-wal", "switchboard.db-journal"]
    .map((f) => join(dataDir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString("latin1"))
    .join("");

beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: KEY });
  dir = mkdtempSync(join(tmpdir(), "switchboard-providers-"));
  dataDir = join(dir, "data");
});
afterAll(async () => {
  await fake.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("switchboard providers, prices, egress and secrets", () => {
  it("adds a provider from an environment variable, allows its host, tests it, prices a model and runs an agent on it", async () => {
    const hostPort = new URL(fake.url).host;
    const add = await switchboard([
      "providers",
      "add",
      "local",
      "--kind",
      "openai-compatible",
      "--base-url",
      fake.baseUrls.openaiCompatible,
      "--api-key-env",
      "FAKE_PROVIDER_KEY",
    ]);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/Added the model provider local/);

    // loopback is refused until allowed
    const refused = await switchboard(["providers", "test", "local"]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/failed after \d+ ms: .*private/);

    const allow = await switchboard(["egress", "allow", hostPort]);
    expect(allow.code, allow.stderr).toBe(0);
    const listEgress = await switchboard(["egress", "list", "--json"]);
    expect(JSON.parse(listEgress.stdout)).toMatchObject({ allowHosts: [hostPort], allowPrivateNetwork: false });

    const test = await switchboard(["providers", "test", "local", "--json"]);
    expect(test.code, test.stderr).toBe(0);
    expect(JSON.parse(test.stdout)).toMatchObject({ ok: true, via: "models" });

    const list = await switchboard(["providers", "list", "--json"]);
    const providers = JSON.parse(list.stdout);
    expect(providers).toMatchObject([{ name: "local", kind: "openai-compatible", keySet: true }]);
    expect(providers[0].models).toContain("fake-ok");

    const price = await switchboard(["prices", "set", "local:fake-ok", "--input", "3", "--output", "15"]);
    expect(price.code, price.stderr).toBe(0);
    const bad = await switchboard(["prices", "set", "nope:fake-ok", "--input", "1", "--output", "x"]);
    expect(bad.code).toBe(2);

    const file = join(dir, "agent.json");
    writeFileSync(
      file,
      JSON.stringify({
        format: "switchboard.workflow/v1",
        name: "Ask the local model",
        nodes: [
          { id: "start", type: "trigger", config: { kind: "manual" } },
          { id: "ask", type: "agent", config: { model: "local:fake-ok", prompt: "Say hello" } },
          { id: "done", type: "end", config: { output: "{{ nodes.ask.output }}" } },
        ],
        edges: [
          { source: "start", target: "ask" },
          { source: "ask", target: "done" },
        ],
      }),
    );
    const run = await switchboard(["run", file, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.status).toBe("succeeded");
    expect(result.usage.costUsd).toBeGreaterThan(0);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);

    // the key is in no byte of the database (main file and WAL) and in no output
    expect(dbBytes()).toContain("provider-local");
    expect(dbBytes()).not.toContain(KEY);
    expect(outputs.join("")).not.toContain(KEY);
  }, 240_000);

  it("secrets rotate re-seals every credential under a new key in secrets.json; the provider still works", async () => {
    const before = JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")).SWITCHBOARD_SECRET_KEY;
    const rotate = await switchboard(["secrets", "rotate", "--json"]);
    expect(rotate.code, rotate.stderr).toBe(0);
    expect(JSON.parse(rotate.stdout)).toMatchObject({ resealed: 1, alreadyCurrent: 0 });
    const after = JSON.parse(readFileSync(join(dataDir, "secrets.json"), "utf8")).SWITCHBOARD_SECRET_KEY;
    expect(after).not.toBe(before);
    expect(rotate.stdout).not.toContain(after);
    expect(existsSync(join(dataDir, "secrets.json.next"))).toBe(false);

    const test = await switchboard(["providers", "test", "local"]);
    expect(test.code, test.stderr).toBe(0);
    // with the key in the environment, the new one must be given
    const refused = await switchboard(["secrets", "rotate"], { SWITCHBOARD_SECRET_KEY: after });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--new-key-env/);
    expect(dbBytes()).not.toContain(KEY);
    expect(outputs.join("")).not.toContain(KEY);
  }, 120_000);
});
