// Credentials on both databases: write-only metadata, reveal at call time (lastUsedAt), names,
// conflicts, rotation — and the SQLite file never holds a stored value in clear.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import { NonRetryableError } from "@/lib/contracts/errors";
import { createVault } from "@/lib/vault/seal";
import { createCredentialStore, credentialContext, rotateCredentialKeys } from "./credentials";
import { openTestSqlite, TEST_DATABASES } from "./testing";

const KEY_A = "credential-test-key-A-0123456789abcdef";
const KEY_B = "credential-test-key-B-0123456789abcdef";
const VALUE = "sk-proj-CLEARTEXT-never-on-disk-7f3a9c";

const appCode = async (p: Promise<unknown>) => {
  const e = await p.catch((err) => err);
  expect(e).toBeInstanceOf(AppError);
  return (e as AppError).code;
};

describe.each(TEST_DATABASES)("credentials on $name", ({ open }) => {
  it("stores sealed values and returns metadata only, until revealed for use", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `cred-${Date.now()}` } });
      const store = createCredentialStore(db, createVault(KEY_A));
      const meta = await store.create(ws.id, { name: "openai", kind: "model_provider", value: VALUE });
      expect(Object.keys(meta).sort()).toEqual([
        "createdAt",
        "createdById",
        "id",
        "kind",
        "lastUsedAt",
        "name",
        "updatedAt",
      ]);
      expect(meta).toMatchObject({ name: "openai", kind: "model_provider", lastUsedAt: null });
      expect(JSON.stringify(await store.list(ws.id))).not.toContain(VALUE);
      expect(JSON.stringify(await store.get(ws.id, "openai"))).not.toContain(VALUE);

      const row = await db.prisma.credential.findFirstOrThrow({ where: { workspaceId: ws.id } });
      expect(row.sealedValue).toMatch(/^v1\./);
      expect(row.sealedValue).not.toContain(VALUE);

      const now = new Date("2026-12-01T10:00:00Z");
      expect(await store.revealForUse(ws.id, "openai", now)).toBe(VALUE);
      expect((await store.get(ws.id, "openai"))!.lastUsedAt).toEqual(now);
      expect(await store.revealForUse(ws.id, "missing")).toBeNull();
      expect(await store.secretValues(ws.id)).toEqual([VALUE]);
      expect(await store.resolver().get(ws.id, "openai")).toBe(VALUE);
    } finally {
      await db.dispose();
    }
  });

  it("refuses bad names, duplicates and unknown credentials with named errors", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `cred2-${Date.now()}` } });
      const other = await db.prisma.workspace.create({ data: { name: "B", slug: `cred3-${Date.now()}` } });
      const store = createCredentialStore(db, createVault(KEY_A));
      await store.create(ws.id, { name: "token", value: "v1-value" });
      const bad = await store.create(ws.id, { name: "1 bad name", value: "x" }).catch((e) => e);
      expect(bad).toBeInstanceOf(AppError);
      expect(bad.code).toBe("invalid:credential");
      expect(bad.fieldErrors[0].path).toBe("name");
      expect(await appCode(store.create(ws.id, { name: "empty", value: "" }))).toBe("invalid:credential");
      expect(await appCode(store.create(ws.id, { name: "token", value: "again" }))).toBe("conflict:credential");
      expect(await appCode(store.replaceValue(ws.id, "nope", "x"))).toBe("not_found:credential");
      expect(await appCode(store.remove(ws.id, "nope"))).toBe("not_found:credential");
      // the same name in another workspace is another credential
      await store.create(other.id, { name: "token", value: "other-value" });
      expect(await store.revealForUse(other.id, "token")).toBe("other-value");

      await store.replaceValue(ws.id, "token", "v2-value");
      expect(await store.revealForUse(ws.id, "token")).toBe("v2-value");
      await store.remove(ws.id, "token");
      expect(await store.list(ws.id)).toEqual([]);
    } finally {
      await db.dispose();
    }
  });

  it("a sealed value copied to another row does not open there", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `cred4-${Date.now()}` } });
      const store = createCredentialStore(db, createVault(KEY_A));
      await store.create(ws.id, { name: "real", value: VALUE });
      await store.create(ws.id, { name: "decoy", value: "something else" });
      const real = await db.prisma.credential.findFirstOrThrow({ where: { name: "real" } });
      await db.prisma.credential.updateMany({ where: { name: "decoy" }, data: { sealedValue: real.sealedValue } });
      await expect(store.revealForUse(ws.id, "decoy")).rejects.toMatchObject({ reason: "tampered" });
      await expect(store.resolver().get(ws.id, "decoy")).rejects.toBeInstanceOf(NonRetryableError);
    } finally {
      await db.dispose();
    }
  });

  it("rotates every row to a new key; running it again changes nothing", async () => {
    const db = await open();
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `cred5-${Date.now()}` } });
      const oldStore = createCredentialStore(db, createVault(KEY_A));
      await oldStore.create(ws.id, { name: "one", value: "first-secret" });
      await oldStore.create(ws.id, { name: "two", value: "second-secret" });
      expect(await rotateCredentialKeys(db, KEY_A, KEY_B)).toEqual({ resealed: 2, alreadyCurrent: 0 });
      expect(await rotateCredentialKeys(db, KEY_A, KEY_B)).toEqual({ resealed: 0, alreadyCurrent: 2 });
      const newStore = createCredentialStore(db, createVault(KEY_B));
      expect(await newStore.revealForUse(ws.id, "one")).toBe("first-secret");
      expect(await newStore.revealForUse(ws.id, "two")).toBe("second-secret");
      await expect(oldStore.revealForUse(ws.id, "one")).rejects.toMatchObject({ reason: "unknown_key" });
      const rows = await db.prisma.credential.findMany();
      for (const r of rows) expect(createVault(KEY_B).isCurrent(r.sealedValue)).toBe(true);
    } finally {
      await db.dispose();
    }
  });
});

describe("credentials at rest (SQLite file)", () => {
  it("the database file's bytes never contain a stored value, in clear or base64", async () => {
    const db = await openTestSqlite();
    const file = db.target.provider === "sqlite" ? db.target.file : "";
    try {
      const ws = await db.prisma.workspace.create({ data: { name: "A", slug: `disk-${Date.now()}` } });
      const store = createCredentialStore(db, createVault(KEY_A));
      await store.create(ws.id, { name: "openai", value: VALUE });
      await store.revealForUse(ws.id, "openai");
      await store.replaceValue(ws.id, "openai", `${VALUE}-2`);
      await db.prisma.$queryRawUnsafe("PRAGMA wal_checkpoint(FULL)");
      const sealed = (await db.prisma.credential.findFirstOrThrow()).sealedValue;
      expect(createVault(KEY_A).open(sealed, credentialContext(ws.id, "openai"))).toBe(`${VALUE}-2`);
      const files = readdirSync(dirname(file)).filter((f) => f.startsWith("test.db"));
      expect(files.length).toBeGreaterThan(0);
      let sawSealed = false;
      for (const f of files) {
        const bytes = readFileSync(join(dirname(file), f));
        for (const needle of [VALUE, Buffer.from(VALUE).toString("base64"), KEY_A])
          expect(bytes.includes(Buffer.from(needle)), `${f} contains ${needle.slice(0, 8)}…`).toBe(false);
        if (bytes.includes(Buffer.from(sealed))) sawSealed = true;
      }
      expect(sawSealed).toBe(true); // the check looked at the right file
    } finally {
      await db.dispose();
    }
  });
});
