// Sealing: round trip, tampering, wrong keys, contexts, rotation, and what the sealed bytes reveal.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadVaultSecret } from "./key-file";
import { createVault, deriveVaultKey, reseal, rotate, VaultError } from "./seal";

const SECRET_A = "a-secret-key-for-tests-0123456789abcdef";
const SECRET_B = "b-secret-key-for-tests-0123456789abcdef";
const VALUE = "sk-live-ABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

const reason = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VaultError);
    return (e as VaultError).reason;
  }
  throw new Error("did not throw");
};

describe("vault sealing", () => {
  const vault = createVault(SECRET_A);

  it("round-trips, with a fresh nonce each time", () => {
    const a = vault.seal(VALUE, "ws1/openai");
    const b = vault.seal(VALUE, "ws1/openai");
    expect(a).not.toBe(b);
    expect(vault.open(a, "ws1/openai")).toBe(VALUE);
    expect(vault.open(b, "ws1/openai")).toBe(VALUE);
    expect(vault.open(vault.seal("", "c"), "c")).toBe("");
    expect(vault.open(vault.seal("ünïcödé ✓", "c"), "c")).toBe("ünïcödé ✓");
  });

  it("names the format and the key id, and reveals neither value nor key", () => {
    const sealed = vault.seal(VALUE, "ws1/openai");
    const [format, keyId, nonce] = sealed.split(".");
    expect(format).toBe("v1");
    expect(keyId).toBe(deriveVaultKey(SECRET_A).id);
    expect(Buffer.from(nonce!, "base64url")).toHaveLength(12);
    const key = deriveVaultKey(SECRET_A);
    for (const needle of [
      VALUE,
      Buffer.from(VALUE).toString("base64"),
      Buffer.from(VALUE).toString("base64url"),
      SECRET_A,
      key.material.toString("base64url"),
      key.material.toString("hex"),
    ])
      expect(sealed).not.toContain(needle.slice(0, 16));
    expect(JSON.stringify(key)).not.toContain(key.material.toString("hex"));
    expect(Buffer.from(sealed).includes(key.material)).toBe(false);
  });

  it("detects tampering anywhere in the sealed value", () => {
    const sealed = vault.seal(VALUE, "ctx");
    const parts = sealed.split(".");
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === "A" ? "B" : "A") + s.slice(i + 1);
    expect(reason(() => vault.open([parts[0], parts[1], flip(parts[2]!, 3), parts[3]].join("."), "ctx"))).toBe(
      "tampered",
    );
    expect(reason(() => vault.open([parts[0], parts[1], parts[2], flip(parts[3]!, 5)].join("."), "ctx"))).toBe(
      "tampered",
    );
    expect(
      reason(() => vault.open([parts[0], parts[1], parts[2], flip(parts[3]!, parts[3]!.length - 2)].join("."), "ctx")),
    ).toBe("tampered");
    expect(reason(() => vault.open(sealed, "other-ctx"))).toBe("tampered");
    expect(reason(() => vault.open("v1.nope", "ctx"))).toBe("malformed");
    expect(reason(() => vault.open(sealed.replace(/^v1/, "v2"), "ctx"))).toBe("malformed");
  });

  it("refuses a value sealed under another key, and a key id swapped in the blob", () => {
    const other = createVault(SECRET_B);
    const sealed = other.seal(VALUE, "ctx");
    expect(reason(() => vault.open(sealed, "ctx"))).toBe("unknown_key");
    const swapped = sealed.replace(other.keyId, vault.keyId);
    expect(reason(() => vault.open(swapped, "ctx"))).toBe("tampered");
  });

  it("refuses weak secrets", () => {
    expect(reason(() => createVault("short"))).toBe("weak_secret");
  });

  it("rotates: re-seals rows under the new key, skips current ones, can run twice", () => {
    const old = createVault(SECRET_A);
    const rows = [
      { id: "1", sealed: old.seal("one", "ws/a"), context: "ws/a" },
      { id: "2", sealed: createVault(SECRET_B).seal("two", "ws/b"), context: "ws/b" },
    ];
    const changed = rotate(rows, SECRET_A, SECRET_B);
    expect(changed.map((c) => c.id)).toEqual(["1"]);
    const fresh = createVault(SECRET_B);
    expect(fresh.open(changed[0]!.sealed, "ws/a")).toBe("one");
    expect(rotate([{ ...rows[0]!, sealed: changed[0]!.sealed }], SECRET_A, SECRET_B)).toEqual([]);
    // a vault keeping the previous key reads both during a rotation
    const both = createVault(SECRET_B, [SECRET_A]);
    expect(both.open(rows[0]!.sealed, "ws/a")).toBe("one");
    expect(both.isCurrent(rows[0]!.sealed)).toBe(false);
    expect(reseal(rows[0]!.sealed, "ws/a", both, fresh)).not.toBe(rows[0]!.sealed);
    expect(() =>
      rotate([{ id: "x", sealed: createVault(`${SECRET_A}-third`).seal("x", "c"), context: "c" }], SECRET_A, SECRET_B),
    ).toThrow(VaultError);
  });
});

describe("vault secret source", () => {
  it("uses the given secret, else generates one into the data directory (0600) and keeps it", () => {
    const dir = mkdtempSync(join(tmpdir(), "sb-vault-"));
    try {
      expect(loadVaultSecret({ secret: SECRET_A, dataDir: dir })).toEqual({ secret: SECRET_A, source: "env" });
      const first = loadVaultSecret({ dataDir: dir });
      expect(first.source).toBe("generated");
      expect(first.secret.length).toBeGreaterThanOrEqual(32);
      const file = join(dir, "secrets.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(loadVaultSecret({ dataDir: dir })).toEqual({ secret: first.secret, source: "file" });
      // shares lib/auth/secrets.ts's file: other entries are kept
      writeFileSync(file, JSON.stringify({ NEXTAUTH_SECRET: "n".repeat(40) }), { mode: 0o600 });
      const added = loadVaultSecret({ dataDir: dir });
      expect(added.source).toBe("generated");
      expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({
        NEXTAUTH_SECRET: "n".repeat(40),
        SWITCHBOARD_SECRET_KEY: added.secret,
      });
      expect(() => loadVaultSecret({ secret: "short", dataDir: dir })).toThrow(VaultError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
