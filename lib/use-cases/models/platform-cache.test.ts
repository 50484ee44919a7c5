// The provider path's per-call work is cached: the AI SDK provider (and its language model) is
// built once per provider and key, and the key is opened from the vault once, not per call; a
// replaced credential (which bumps the workspace's configuration revision) builds a new one with
// the new key. Real HTTP against the fake provider; the idempotency key still reaches it per call.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRequest } from "@/lib/contracts/ports";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { createModelProvider } from "@/lib/db/model-providers";
import { openTestSqlite } from "@/lib/db/testing";
import { createSdkProvider, type ProviderFactory } from "@/lib/providers/registry";
import { createVault } from "@/lib/vault/seal";
import { type FakeProvider, startFakeProvider } from "@/tests/fake-provider/server";
import { createPlatform } from "./platform";

const KEY = "sk-cache-test-KEY-1f2e3d4c5b";
const NEW_KEY = "sk-cache-test-NEW-9a8b7c6d5e";

let fake: FakeProvider;
let db: Db & { dispose(): Promise<void> };
let fx: Fixture;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: KEY });
  db = await openTestSqlite();
  fx = await seedWorkspace(db);
});
afterAll(async () => {
  await fake.stop();
  await db.dispose();
});

const request = (n: number): ModelRequest => ({
  model: "fake:fake-ok",
  workspaceId: fx.workspaceId,
  messages: [{ role: "user", content: `question ${n}` }],
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: `run1:agent:${n}`,
});

describe("provider path caching", () => {
  it("builds the provider once per key, opens the key once, and rebuilds after the credential changes", async () => {
    const built: (string | undefined)[] = [];
    const factory: ProviderFactory = (config, setup) => {
      built.push(setup.apiKey);
      return createSdkProvider(config, setup);
    };
    let opens = 0;
    const base = createVault("platform-cache-test-vault-key-0123456789abcdef");
    const platform = createPlatform({
      db,
      vault: () => ({
        ...base,
        get keyId() {
          return base.keyId;
        },
        open: (sealed, context) => {
          opens += 1;
          return base.open(sealed, context);
        },
      }),
      allowPrivateNetwork: true,
      providerFactory: factory,
    });
    await platform.credentials.create(fx.workspaceId, { name: "fake-key", kind: "bearer", value: KEY });
    await createModelProvider(db, fx.workspaceId, {
      name: "fake",
      kind: "openai-compatible",
      baseUrl: fake.baseUrls.openaiCompatible,
      credential: "fake-key",
    });
    platform.invalidate(fx.workspaceId);

    for (let n = 1; n <= 3; n++) {
      const r = await platform.models.generate(request(n));
      expect(r.text).toMatch(/^Echo /);
    }
    expect(built).toEqual([KEY]);
    const opensAfterCalls = opens;
    // the redactor's load opens every value once; the calls open the key once more at most
    expect(opensAfterCalls).toBeLessThanOrEqual(2);
    expect(fake.requests.map((r) => r.headers["idempotency-key"])).toEqual([
      "run1:agent:1:1:1",
      "run1:agent:2:1:1",
      "run1:agent:3:1:1",
    ]);
    expect(fake.requests.every((r) => r.headers["x-switchboard-call"] === undefined)).toBe(true);

    // a new key: the next call (after the revision check) uses a provider built with it
    fake.configure({ apiKey: NEW_KEY });
    await platform.credentials.replaceValue(fx.workspaceId, "fake-key", NEW_KEY);
    platform.invalidate(fx.workspaceId);
    const r = await platform.models.generate(request(4));
    expect(r.text).toMatch(/^Echo /);
    expect(built).toEqual([KEY, NEW_KEY]);
    expect(fake.requests.at(-1)!.headers.authorization).toBe(`Bearer ${NEW_KEY}`);
  });
});
