// Settings → Models with an existing credential instead of a new key, through the server actions
// (authedAction with a test session): admins only; the credential must exist (named field error,
// nothing saved); a provider added or switched this way names the credential and no new
// `provider-<name>` credential is created.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";
process.env.SWITCHBOARD_SECRET_KEY = "settings-credential-actions-vault-key-0123456789";

import { createCredentialAction } from "@/app/(app)/settings/credentials/actions";
import { addProviderAction, updateProviderAction } from "@/app/(app)/settings/models/actions";
import type { Fixture } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

describe("providers on an existing credential", () => {
  const server = serverHarness(openTestSqlite);
  const { as } = server;
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });
  const providerRow = (name: string) =>
    db.prisma.modelProvider.findFirst({ where: { workspaceId: fx.workspaceId, name } });
  const credentialNames = async () =>
    (await db.prisma.credential.findMany({ where: { workspaceId: fx.workspaceId } })).map((c) => c.name).sort();

  it("adds a provider on an existing credential and switches another to one; editors are refused", async () => {
    as("admin");
    for (const name of ["team-openai", "team-openai-2"]) {
      const c = await createCredentialAction({ name, kind: "secret", value: `sk-${name}-0123456789` });
      expect(c.ok).toBe(true);
    }
    const missing = await addProviderAction({ name: "work", kind: "openai", credential: "nope" });
    expect(!missing.ok && missing.error.fieldErrors?.map((f) => f.path)).toEqual(["credential"]);
    expect(await providerRow("work")).toBeNull();

    const both = await addProviderAction({ name: "work", kind: "openai", credential: "team-openai", apiKey: "sk-x" });
    expect(!both.ok && both.error.fieldErrors?.map((f) => f.path)).toEqual(["credential"]);

    const added = await addProviderAction({ name: "work", kind: "openai", credential: "team-openai" });
    expect(added.ok).toBe(true);
    expect((await providerRow("work"))?.credential).toBe("team-openai");

    const other = await addProviderAction({ name: "other", kind: "openai", apiKey: "sk-other-0123456789" });
    expect(other.ok).toBe(true);
    expect((await providerRow("other"))?.credential).toBe("provider-other");
    const switched = await updateProviderAction({ name: "other", credential: "team-openai-2" });
    expect(switched.ok).toBe(true);
    expect((await providerRow("other"))?.credential).toBe("team-openai-2");
    const bad = await updateProviderAction({ name: "other", credential: "nope" });
    expect(!bad.ok && bad.error.fieldErrors?.map((f) => f.path)).toEqual(["credential"]);
    expect(await credentialNames()).toEqual(["provider-other", "team-openai", "team-openai-2"]);

    as("editor");
    const refused = await updateProviderAction({ name: "work", credential: "team-openai-2" });
    expect(!refused.ok && refused.error.code).toBe("forbidden:settings");
    expect((await providerRow("work"))?.credential).toBe("team-openai");
  });
});
