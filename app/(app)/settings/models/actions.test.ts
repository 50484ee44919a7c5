// Settings → Models, Credentials and Network egress through their server actions (authedAction
// with a test session): admins only, every bad field named and nothing saved, keys and values
// never returned, each change audited — on both databases.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";
process.env.SWITCHBOARD_SECRET_KEY = "settings-actions-test-vault-key-0123456789";

import { createCredentialAction, deleteCredentialAction } from "@/app/(app)/settings/credentials/actions";
import { allowEgressHostAction, removeEgressHostAction } from "@/app/(app)/settings/egress/actions";
import { addProviderAction, removeProviderAction, setPriceAction } from "@/app/(app)/settings/models/actions";
import type { Fixture } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

const KEY = "sk-settings-action-KEY-0a9b8c7d";

describe.each(TEST_DATABASES)("model settings actions on $name", ({ open }) => {
  const server = serverHarness(open);
  const { as } = server;
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });
  const count = async () =>
    (await db.prisma.modelProvider.count({ where: { workspaceId: fx.workspaceId } })) +
    (await db.prisma.credential.count({ where: { workspaceId: fx.workspaceId } })) +
    // refused attempts are audited on purpose (security.refused, lib/server/refusals.ts): not a change
    (await db.prisma.auditEntry.count({ where: { workspaceId: fx.workspaceId, action: { not: "security.refused" } } }));

  it("refuses everyone but admins, and anonymous callers, saving nothing", async () => {
    for (const role of ["editor", "approver", "viewer"] as const) {
      as(role);
      const add = await addProviderAction({ name: "work", kind: "openai", apiKey: KEY });
      expect(!add.ok && add.error.code).toBe("forbidden:settings");
      const cred = await createCredentialAction({ name: "crm", kind: "bearer", value: "v-123456" });
      expect(!cred.ok && cred.error.code).toBe("forbidden:credential");
      const egress = await allowEgressHostAction({ host: "127.0.0.1:11434" });
      expect(!egress.ok && egress.error.code).toBe("forbidden:settings");
    }
    as(null);
    expect((await addProviderAction({ name: "work", kind: "openai", apiKey: KEY })).ok).toBe(false);
    expect(await count()).toBe(0);
  });

  it("names each bad field and saves nothing", async () => {
    as("admin");
    const r = await addProviderAction({ name: "Work!", kind: "openai-compatible", baseUrl: "ftp://x", apiKey: "" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.map((f) => f.path).sort()).toEqual(["baseUrl", "name"]);
    const p = await setPriceAction({ model: "work:gpt-4o", inputPerMTok: "", outputPerMTok: "-1" });
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.error.fieldErrors?.map((f) => f.path).sort()).toEqual(["inputPerMTok", "outputPerMTok"]);
    const c = await createCredentialAction({ name: "q", kind: "query", value: "abc-123456" });
    expect(!c.ok && c.error.fieldErrors?.map((f) => f.path)).toEqual(["field"]);
    expect(await count()).toBe(0);
  });

  it("lets an admin add, price and remove a provider, manage credentials and the allow-list; never returns a key", async () => {
    as("admin");
    const add = await addProviderAction({ name: "work", kind: "openai", apiKey: KEY, baseUrl: "" });
    expect(add).toEqual({ ok: true, data: { name: "work", kind: "openai" } });
    expect(await setPriceAction({ model: "work:gpt-4o", inputPerMTok: "2.5", outputPerMTok: 10 })).toEqual({
      ok: true,
      data: { model: "work:gpt-4o", inputPerMTok: 2.5, outputPerMTok: 10 },
    });
    expect(
      (await createCredentialAction({ name: "crm", kind: "header", field: "X-Api-Key", value: "crm-77665544" })).ok,
    ).toBe(true);
    expect((await allowEgressHostAction({ host: "127.0.0.1:11434" })).ok).toBe(true);
    expect((await removeEgressHostAction({ host: "127.0.0.1:11434" })).ok).toBe(true);
    expect((await deleteCredentialAction({ name: "crm" })).ok).toBe(true);
    expect((await removeProviderAction({ name: "work" })).ok).toBe(true);
    const audit = await db.prisma.auditEntry.findMany({
      where: { workspaceId: fx.workspaceId, action: { not: "security.refused" } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual([
      "provider.added",
      "price.set",
      "credential.created",
      "egress.allowed",
      "egress.removed",
      "credential.deleted",
      "provider.removed",
    ]);
    expect(audit.every((a) => a.actorId === fx.users.admin.userId)).toBe(true);
    expect(JSON.stringify(audit)).not.toMatch(/sk-settings-action|crm-7766/);
    expect(await db.prisma.credential.count({ where: { workspaceId: fx.workspaceId } })).toBe(0);
  });
});
