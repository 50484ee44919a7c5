// Monthly budgets with a real provider (the fake provider server on 127.0.0.1) through a real host,
// on SQLite and PostgreSQL:
// - reservations price with the admin's price for the model (a ModelPrice row), so a model without
//   a default price is still held to the budget;
// - a failed call is charged: the usage the provider reported (an answer that does not match the
//   output schema), its prompt (input estimate) when unknown (a 500), nothing when the provider
//   refused it (4xx).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { readEnv } from "@/lib/env";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { createRuntime } from "@/lib/runtime/engine";
import { addProvider, allowEgressHost, createPlatform, setPrice } from "@/lib/use-cases/models";
import { createVault } from "@/lib/vault/seal";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { setBudget } from "./index";

const SECRET_KEY = "budgets-test-vault-key-0123456789abcdefghij";
// $1,000 / $2,000 per million tokens: a 1,000-token reservation is $2, a short prompt about $0.01
const PRICE = { inputPerMTok: 1000, outputPerMTok: 2000 };

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({});
});
afterAll(() => fake.stop());

describe.each(TEST_DATABASES)("budgets on a real provider on $name", ({ open }) => {
  let db: Db & { dispose(): Promise<void> };
  let host: TestHost;
  let fx: Fixture;
  beforeAll(async () => {
    db = await open();
    fx = await seedWorkspace(db);
    host = await createTestHost({
      db,
      env: readEnv({ SWITCHBOARD_SECRET_KEY: SECRET_KEY, SWITCHBOARD_DATA_DIR: "/nonexistent" }),
    });
    const admin = fx.users.admin;
    // an OpenAI-compatible server: no default price, so only the admin's prices count
    await addProvider(host.platform, admin, {
      name: "local",
      kind: "openai-compatible",
      baseUrl: fake.baseUrls.openaiCompatible,
    });
    await allowEgressHost(host.platform, admin, { host: new URL(fake.url).host });
    for (const m of ["fake-ok", "fake-500", "fake-bad-json", "fake-401"])
      await setPrice(host.platform, admin, { model: `local:${m}`, ...PRICE });
  });
  afterAll(async () => {
    await host.dispose();
    await db.dispose();
  });

  let versions = 1;
  const run = async (config: Record<string, unknown>, engine: Pick<TestHost["engine"], "execute"> = host.engine) => {
    const doc = workflow(
      [
        trigger(),
        node(
          "a",
          "agent",
          { prompt: "Where is my refund?", maxOutputTokens: 1000, ...config },
          { retry: { maxAttempts: 1 } },
        ),
        node("done", "end", { output: "{{ nodes.a.output }}" }),
      ],
      [edge("start", "a"), edge("a", "done")],
    );
    // a version per document (compiled workflows are cached by version)
    const version = await db.prisma.workflowVersion.create({
      data: {
        workspaceId: fx.workspaceId,
        workflowId: fx.workflowId,
        version: ++versions,
        document: doc as object,
        contentHash: `budgets-${versions}`,
      },
    });
    return engine.execute(
      { document: doc, workspaceId: fx.workspaceId, workflowId: fx.workflowId, workflowVersionId: version.id },
      {},
    );
  };
  const spent = async () =>
    (
      await db.prisma.budgetMonth.findMany({
        where: { workspaceId: fx.workspaceId, workflowId: "" },
      })
    ).reduce((sum, m) => sum + m.spentUsd, 0);

  it("reserves at the admin's price: a call that may cost $2 is refused by a $1 budget before it is made", async () => {
    await setBudget(db, fx.users.admin, { monthlyUsd: 1, onExceeded: "fail" });
    const before = fake.requests.length;
    const r = await run({ model: "local:fake-ok" });
    expect(r.status).toBe("failed");
    expect(r.error).toMatchObject({ code: "budget_exceeded", details: { limitKind: "workspaceUsd", limit: 1 } });
    expect(fake.requests.length).toBe(before);
    expect(await spent()).toBe(0);
  });

  it("a process that has not loaded the workspace's prices yet still reserves at the admin's price", async () => {
    await setBudget(db, fx.users.admin, { monthlyUsd: 1, onExceeded: "fail" });
    // a fresh platform (nothing cached) behind a runtime without the redaction hook, which would
    // otherwise have loaded the workspace's configuration when the run started
    const platform = createPlatform({
      db,
      vault: () => createVault(SECRET_KEY),
      allowPrivateNetwork: false,
    });
    const rt = createRuntime(db, { role: "test", models: platform.models, prices: platform.prices });
    try {
      const before = fake.requests.length;
      const r = await run({ model: "local:fake-ok" }, rt.engine);
      expect(r.status).toBe("failed");
      expect(r.error).toMatchObject({ code: "budget_exceeded" });
      expect(fake.requests.length).toBe(before);
    } finally {
      await rt.close();
    }
  });

  it("charges a failed call: reported usage, else the prompt's estimate; a refused call costs nothing", async () => {
    await setBudget(db, fx.users.admin, { monthlyUsd: 1000, onExceeded: "fail" });
    const ok = await run({ model: "local:fake-ok" });
    expect(ok.status, JSON.stringify(ok.error)).toBe("succeeded");
    let total = await spent();
    expect(total).toBeCloseTo(ok.usage.costUsd, 9);

    // 401: the provider refused it: nothing
    const refused = await run({ model: "local:fake-401" });
    expect(refused.status).toBe("failed");
    expect(await spent()).toBeCloseTo(total, 9);

    // 500: unknown usage: the prompt (about 5 tokens + 4) at the input price, no output
    const failed = await run({ model: "local:fake-500" });
    expect(failed.status).toBe("failed");
    const charged500 = (await spent()) - total;
    expect(charged500).toBeGreaterThan(0);
    expect(charged500).toBeLessThan((100 * PRICE.inputPerMTok) / 1e6);
    total += charged500;

    // an answer that does not match the schema: what the provider reported, output included
    const schema = { type: "object", properties: { n: { type: "number" } }, required: ["n"] };
    const bad = await run({ model: "local:fake-bad-json", outputSchema: schema });
    expect(bad.status).toBe("failed");
    expect(bad.error?.code).toBe("invalid_output");
    const charged = (await spent()) - total;
    expect(charged).toBeGreaterThan(PRICE.outputPerMTok / 1e6); // at least one output token
    expect(charged).toBeLessThan(0.5);
    expect(await db.prisma.budgetReservation.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
  });
});
