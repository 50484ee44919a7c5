// The composition root: one host per process (one globalThis slot), data prepared on creation,
// background work only when start() asks for it, and the parts wired to each other (the
// decision service decides through the host's engine; the notifier sees its commits).
// vitest: isolate (the test asserts that getHost() fills exactly one process-wide slot; another
// file's host in the same fork would have filled it already).
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HITL_DOCUMENT } from "./cli/fixtures";
import { seedWorkflowVersion } from "./db/fixtures";
import { readEnv } from "./env";
import { createHost, getHost, type Host, webBackground } from "./host";
import { createTestHost } from "./host-testing";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await Promise.resolve(cleanups.pop()!()).catch(() => {});
});

function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-host-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const HOST_SLOT = Symbol.for("switchboard.host");

describe("getHost", () => {
  it("is one host per process behind one globalThis slot; createHost() builds a new one", async () => {
    const saved = { ...process.env };
    const dataDir = join(freshDir(), "data"); // does not exist yet
    Object.assign(process.env, { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_SEED: "0", DATABASE_URL: "" });
    cleanups.push(() => {
      for (const k of ["SWITCHBOARD_DATA_DIR", "SWITCHBOARD_SEED", "DATABASE_URL"]) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });
    const before = Object.getOwnPropertySymbols(globalThis).filter((s) => String(s).includes("switchboard"));
    const first = getHost();
    expect(getHost()).toBe(first);
    const host = await first;
    cleanups.push(async () => {
      await host.close();
      delete (globalThis as Record<symbol, unknown>)[HOST_SLOT];
    });
    expect(host.role).toBe("web");
    expect(host.owner).toMatch(/^web:/);
    expect((await getHost()).engine).toBe(host.engine);
    expect(existsSync(join(dataDir, "switchboard.db"))).toBe(true);
    const after = Object.getOwnPropertySymbols(globalThis).filter((s) => String(s).includes("switchboard"));
    expect(after.filter((s) => !before.includes(s))).toEqual([HOST_SLOT]);

    const other = await createHost({ role: "test", db: host.db });
    cleanups.push(() => other.close());
    expect(other.engine).not.toBe(host.engine);
    expect(other.db).toBe(host.db);
  });
});

describe("createHost", () => {
  it("creates the data directory, migrates and seeds an empty database", async () => {
    const dataDir = join(freshDir(), "nested", "data");
    const env = readEnv({ SWITCHBOARD_DATA_DIR: dataDir });
    const host = await createHost({ role: "cli", env, log: () => {} });
    cleanups.push(() => host.close());
    expect(host.seeded?.users.map((u) => u.role)).toEqual(["admin", "editor", "approver", "viewer"]);
    expect(existsSync(join(dataDir, "first-run.json"))).toBe(true);
    expect(await host.db.prisma.workspace.count()).toBe(1);
    // A second host on the same data seeds nothing.
    const again = await createHost({ role: "cli", env, log: () => {} });
    cleanups.push(() => again.close());
    expect(again.seeded).toBeNull();
  });

  it("starts no background work until start(), and stop() ends it", async () => {
    const host = await createTestHost();
    cleanups.push(() => host.dispose());
    expect([host.runner, host.notifications.worker, host.telemetry]).toEqual([null, null, null]);
    await host.start({ runner: { recoverOnStart: false }, notifications: { intervalMs: 60_000 }, telemetry: true });
    expect(host.runner).not.toBeNull();
    expect(host.notifications.worker).not.toBeNull();
    expect(host.telemetry).toBeNull(); // OTEL_EXPORTER_OTLP_ENDPOINT is not set
    const runner = host.runner;
    await host.start({ runner: {} });
    expect(host.runner).toBe(runner);
    await host.stop();
    expect([host.runner, host.notifications.worker]).toEqual([null, null]);
  });

  it("wires the decision service, the engine and the notifier together", async () => {
    const host: Host = await createTestHost();
    cleanups.push(() => (host as Awaited<ReturnType<typeof createTestHost>>).dispose());
    const ids = await seedWorkflowVersion(host.db, HITL_DOCUMENT);
    const paused = await host.engine.execute({ document: HITL_DOCUMENT, ...ids }, {});
    expect(paused.status).toBe("waiting");
    const seen = host.notifier.waitForEvents(paused.runId, (await host.store.loadRun(paused.runId))!.lastSeq, {
      timeoutMs: 10_000,
    });
    await host.approvals.engine.decide(paused.approvals[0]!.id, { decision: "approve", by: "tester" });
    expect(await seen).toBeGreaterThan(0);
    for (let i = 0; i < 200 && (await host.engine.getResult(paused.runId))?.status !== "succeeded"; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect((await host.engine.getResult(paused.runId))?.status).toBe("succeeded");
  });

  it("close() leaves a database it was given open, and a closed host starts nothing", async () => {
    const given = await createTestHost();
    cleanups.push(() => given.dispose());
    const borrower = await createHost({ role: "test", db: given.db });
    await borrower.close();
    expect(await given.db.prisma.workspace.count()).toBe(0);
    await expect(borrower.start({ runner: {} })).rejects.toThrow(/closed/);
  });
});

describe("webBackground", () => {
  it("runs everything by default; SWITCHBOARD_RUNNER=0 and SWITCHBOARD_NOTIFICATIONS=0 turn parts off", () => {
    expect(webBackground(readEnv({}))).toEqual({
      runner: { sweepAtStart: true },
      relay: { publish: true, listen: true },
      heartbeat: true,
      metrics: true,
      schedules: {},
      notifications: { intervalMs: 5000 },
      telemetry: true,
    });
    expect(
      webBackground(
        readEnv({ SWITCHBOARD_RUNNER: "0", SWITCHBOARD_NOTIFICATIONS: "0", SWITCHBOARD_NOTIFY_INTERVAL_MS: "" }),
      ),
    ).toEqual({
      runner: false,
      relay: { publish: true, listen: true },
      heartbeat: true,
      metrics: true,
      schedules: false,
      notifications: false,
      telemetry: true,
    });
  });
});
