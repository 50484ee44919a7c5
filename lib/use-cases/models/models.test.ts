// Model providers, prices, credentials and the egress allow-list through the use cases and a
// real host on both databases: an admin adds an OpenAI-compatible provider pointing at the fake
// provider server, tests it, prices a model, runs an agent on it; the key is sealed, never in a
// row, an audit entry, an event or a step; non-admins are refused and nothing is saved.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { readEnv } from "@/lib/env";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { exportStoredRun } from "@/lib/telemetry/export";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import {
  addProvider,
  allowEgressHost,
  createCredential,
  deleteCredential,
  getEgress,
  listCredentials,
  listModelChoices,
  listProviders,
  removeEgressHost,
  removeProvider,
  replaceCredential,
  setPrice,
  testProvider,
  updateProvider,
} from "./index";

const KEY = "sk-fake-provider-KEY-5b8e21c9d0";
const SECRET_KEY = "models-test-vault-key-0123456789abcdefghij";

const code = async (p: Promise<unknown>) => {
  const e = await p.catch((err) => err);
  expect(e).toBeInstanceOf(AppError);
  return (e as AppError).code;
};

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: KEY });
});
afterAll(() => fake.stop());

describe.each(TEST_DATABASES)("models on $name", ({ open }) => {
  let db: Db & { dispose(): Promise<void> };
  let host: TestHost;
  let fx: Fixture;
  const hostPort = () => new URL(fake.url).host;
  beforeAll(async () => {
    db = await open();
    fx = await seedWorkspace(db);
    host = await createTestHost({
      db,
      env: readEnv({ SWITCHBOARD_SECRET_KEY: SECRET_KEY, SWITCHBOARD_DATA_DIR: "/nonexistent" }),
    });
  });
  afterAll(async () => {
    await host.dispose();
    await db.dispose();
  });
  const admin = () => fx.users.admin;
  const audits = (action: string) =>
    db.prisma.auditEntry.findMany({ where: { workspaceId: fx.workspaceId, action }, orderBy: { createdAt: "asc" } });

  it("refuses non-admins and bad input, naming the field, and saves nothing", async () => {
    for (const role of ["editor", "approver", "viewer"] as const) {
      expect(await code(addProvider(host.platform, fx.users[role], { name: "x", kind: "openai", apiKey: "k" }))).toBe(
        "forbidden:settings",
      );
      expect(await code(allowEgressHost(host.platform, fx.users[role], { host: "127.0.0.1" }))).toBe(
        "forbidden:settings",
      );
      expect(
        await code(createCredential(host.platform, fx.users[role], { name: "c", kind: "bearer", value: "v" })),
      ).toBe("forbidden:credential");
    }
    const bad = await addProvider(host.platform, admin(), { name: "Bad Name", kind: "openai-compatible" }).catch(
      (e) => e,
    );
    expect(bad.code).toBe("invalid:provider");
    expect(bad.fieldErrors.map((f: { path: string }) => f.path).sort()).toEqual(["baseUrl", "name"]);
    expect(await code(addProvider(host.platform, admin(), { name: "o", kind: "openai" }))).toBe("invalid:provider");
    expect(await code(allowEgressHost(host.platform, admin(), { host: "http://x" }))).toBe("invalid:egress");
    expect(await code(createCredential(host.platform, admin(), { name: "h", kind: "header", value: "v" }))).toBe(
      "invalid:credential",
    );
    expect(await db.prisma.modelProvider.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
    expect(await db.prisma.credential.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
  });

  it("adds a provider with its key sealed in the vault; the egress allow-list lets it reach 127.0.0.1", async () => {
    await addProvider(host.platform, admin(), {
      name: "local",
      kind: "openai-compatible",
      baseUrl: fake.baseUrls.openaiCompatible,
      apiKey: KEY,
    });
    const rows = JSON.stringify([
      await db.prisma.modelProvider.findMany({ where: { workspaceId: fx.workspaceId } }),
      await db.prisma.credential.findMany({ where: { workspaceId: fx.workspaceId } }),
      await db.prisma.auditEntry.findMany({ where: { workspaceId: fx.workspaceId } }),
    ]);
    expect(rows).toContain("provider-local");
    expect(rows).not.toContain(KEY);
    const [view] = await listProviders(host.platform, fx.workspaceId);
    expect(view).toMatchObject({ name: "local", keySet: true, credential: "provider-local", models: null });
    expect(JSON.stringify(view)).not.toContain(KEY);

    // loopback is refused until the host is on the allow-list
    const refused = await testProvider(host.platform, admin(), { name: "local" });
    expect(refused).toMatchObject({ ok: false, error: { code: "egress_denied" } });
    expect(await getEgress(host.platform, fx.workspaceId)).toEqual({ allowHosts: [], allowPrivateNetwork: false });
    await allowEgressHost(host.platform, admin(), { host: hostPort() });
    expect(await code(allowEgressHost(host.platform, admin(), { host: hostPort() }))).toBe("conflict:egress");
    const ok = await testProvider(host.platform, admin(), { name: "local" });
    expect(ok).toMatchObject({ ok: true, via: "models" });
    if (ok.ok) expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect((await listProviders(host.platform, fx.workspaceId))[0]!.models).toContain("fake-ok");
    expect((await audits("egress.allowed")).map((a) => a.summary)).toEqual([
      `Allowed outbound calls to ${hostPort()} on private networks`,
    ]);
  });

  it("a wrong key fails the test with the provider's error, without the key", async () => {
    await updateProvider(host.platform, admin(), { name: "local", apiKey: "sk-wrong-key-123456" });
    const r = await testProvider(host.platform, admin(), { name: "local" });
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain("sk-wrong-key-123456");
    await updateProvider(host.platform, admin(), { name: "local", apiKey: KEY });
    expect((await testProvider(host.platform, admin(), { name: "local" })).ok).toBe(true);
  });

  it("runs an agent on the provider, priced with the admin's price; nothing stored holds the key", async () => {
    await setPrice(host.platform, admin(), { model: "local:fake-ok", inputPerMTok: 1000, outputPerMTok: 2000 });
    expect(
      await code(setPrice(host.platform, admin(), { model: "nope:fake-ok", inputPerMTok: 1, outputPerMTok: 1 })),
    ).toBe("invalid:price");
    const choices = await listModelChoices(host.platform, fx.workspaceId);
    expect(choices.map((c) => c.provider)).toEqual(["simulated", "local"]);
    expect(choices[1]!.models.find((m) => m.id === "local:fake-ok")).toMatchObject({
      price: { inputPerMTok: 1000, outputPerMTok: 2000 },
      priceSource: "override",
    });

    const doc = workflow(
      [
        trigger(),
        node("a", "agent", { model: "local:fake-ok", prompt: `say {{ input.word }} ${KEY}` }),
        node("done", "end", { output: "{{ nodes.a.output }}" }),
      ],
      [edge("start", "a"), edge("a", "done")],
    );
    const result = await host.engine.execute(
      { document: doc, workspaceId: fx.workspaceId, workflowId: fx.workflowId, workflowVersionId: fx.versionId },
      { word: "hello" },
    );
    expect(result.status, JSON.stringify(result.error)).toBe("succeeded");
    expect(String(result.output)).toMatch(/^Echo /);
    expect(result.usage.costUsd).toBeGreaterThan(0);
    // the provider got the key; nothing stored has it
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${KEY}`);
    const stored = JSON.stringify([
      await db.prisma.step.findMany({ where: { runId: result.runId } }),
      await db.prisma.runEvent.findMany({ where: { runId: result.runId } }),
      await db.prisma.run.findUnique({ where: { id: result.runId } }),
      result,
    ]);
    expect(stored).toContain("[redacted]");
    expect(stored).not.toContain(KEY);

    // the trace exported over OTLP and the host's log lines are redacted too
    const exported: unknown[] = [];
    const telemetry = {
      exportRun: (...args: unknown[]) => exported.push(args),
      flush: async () => {},
      shutdown: async () => {},
    };
    expect(await exportStoredRun(db, telemetry, result.runId, { redaction: host.platform.redaction })).toBe(true);
    expect(JSON.stringify(exported)).not.toContain(KEY);
    expect(host.platform.redactText(`provider said: bad key ${KEY}`)).toBe("provider said: bad key [redacted]");
  });

  it("credentials: create, replace, delete; a provider's key cannot be deleted under it", async () => {
    await createCredential(host.platform, admin(), {
      name: "crm",
      kind: "header",
      field: "X-Api-Key",
      value: "crm-value-1",
    });
    expect(await code(createCredential(host.platform, admin(), { name: "crm", kind: "bearer", value: "x" }))).toBe(
      "conflict:credential",
    );
    await replaceCredential(host.platform, admin(), { name: "crm", value: "crm-value-2" });
    const list = await listCredentials(host.platform, fx.workspaceId);
    expect(list.map((c) => [c.name, c.kind, c.field, c.usedByProviders])).toEqual([
      ["crm", "header", "X-Api-Key", []],
      ["provider-local", "secret", null, ["local"]],
    ]);
    expect(JSON.stringify(list)).not.toMatch(/crm-value|sk-fake/);
    expect(await code(deleteCredential(host.platform, admin(), { name: "provider-local" }))).toBe(
      "conflict:credential",
    );
    await deleteCredential(host.platform, admin(), { name: "crm" });
    expect((await audits("credential.replaced")).length).toBe(1);
    expect(JSON.stringify(await audits("credential.created"))).not.toContain("crm-value");
  });

  it("a change made by another process is seen after the revision check", async () => {
    const snapshot = await host.platform.snapshot(fx.workspaceId);
    const loads = host.platform.stats.loads;
    // another process removes the host from the allow-list (a second host on the same database)
    const other = await createTestHost({ db, env: readEnv({ SWITCHBOARD_SECRET_KEY: SECRET_KEY }) });
    try {
      await removeEgressHost(other.platform, admin(), { host: hostPort() });
    } finally {
      await other.close();
    }
    expect(snapshot.allowHosts).toContain(hostPort());
    host.platform.invalidate(fx.workspaceId); // what a second passing does
    expect((await host.platform.snapshot(fx.workspaceId)).allowHosts).toEqual([]);
    expect(host.platform.stats.loads).toBe(loads + 1);
    const doc = workflow(
      [trigger(), node("a", "agent", { model: "local:fake-ok", prompt: "hi" })],
      [edge("start", "a")],
    );
    const refused = await host.engine.execute(
      { document: doc, workspaceId: fx.workspaceId, workflowId: fx.workflowId, workflowVersionId: fx.versionId },
      {},
    );
    expect(refused.status).toBe("failed");
    expect(JSON.stringify(refused.error)).toMatch(/Network egress/);
  });

  it("removing a provider removes its own key and prices", async () => {
    await removeProvider(host.platform, admin(), { name: "local" });
    expect(await db.prisma.modelProvider.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
    expect(await db.prisma.modelPrice.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
    expect(await db.prisma.credential.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
    expect((await audits("provider.removed"))[0]!.summary).toBe("Removed the model provider “local” and its API key");
  });
});
