/**
 * Sealing secrets at rest: AES-256-GCM, a fresh random 96-bit nonce per value, the key derived
 * from SWITCHBOARD_SECRET_KEY with HKDF-SHA256. A sealed value is one ASCII string:
 *
 *   v1.<key id>.<nonce, base64url>.<ciphertext + 16-byte tag, base64url>
 *
 * `v1` is the format (algorithm and layout); the key id is an 8-character fingerprint derived
 * from the secret with its own HKDF label, so it names the key without revealing anything about
 * it. The additional authenticated data binds the format, the key id and a caller's context (e.g.
 * `<workspace>/<name>`), so a sealed value copied to another row does not open there.
 *
 * The secret is passed in; nothing here reads the environment.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

export const SEAL_FORMAT = "v1";
/** Shortest secret accepted (lib/auth/secrets.ts generates 43 characters). */
export const MIN_SECRET_LENGTH = 32;
const SALT = "switchboard.vault";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export type VaultErrorReason = "malformed" | "unknown_key" | "tampered" | "weak_secret";

/** A sealed value could not be opened (or a secret is unusable). Never carries the value or key. */
export class VaultError extends Error {
  readonly reason: VaultErrorReason;
  constructor(reason: VaultErrorReason, message: string) {
    super(message);
    this.name = "VaultError";
    this.reason = reason;
  }
}

export interface VaultKey {
  /** Fingerprint (not secret). */
  readonly id: string;
  /** Not enumerable, so logging or JSON of a key shows only its id. */
  readonly material: Buffer;
}

/** Derives the AES key (and its id) from a secret string. */
export function deriveVaultKey(secret: string): VaultKey {
  if (typeof secret !== "string" || secret.length < MIN_SECRET_LENGTH)
    throw new VaultError("weak_secret", `The vault secret must be at least ${MIN_SECRET_LENGTH} characters.`);
  const material = Buffer.from(hkdfSync("sha256", secret, SALT, "aes-256-gcm key", 32));
  const id = Buffer.from(hkdfSync("sha256", secret, SALT, "key id", 6)).toString("base64url");
  const key = { id } as VaultKey;
  Object.defineProperty(key, "material", { value: material, enumerable: false });
  return Object.freeze(key);
}

export interface Vault {
  /** Id of the key new values are sealed with. */
  readonly keyId: string;
  seal(value: string, context: string): string;
  /** Throws VaultError: malformed, unknown_key (sealed under a key this vault lacks), tampered. */
  open(sealed: string, context: string): string;
  /** Key id a sealed value names (without opening it); null when malformed. */
  keyIdOf(sealed: string): string | null;
  /** True when the value is sealed under this vault's current key. */
  isCurrent(sealed: string): boolean;
}

const aad = (keyId: string, context: string) => Buffer.from(`${SEAL_FORMAT}.${keyId}.${context}`, "utf8");

function parse(sealed: string): { keyId: string; nonce: Buffer; body: Buffer } | null {
  if (typeof sealed !== "string") return null;
  const parts = sealed.split(".");
  if (parts.length !== 4 || parts[0] !== SEAL_FORMAT) return null;
  const [, keyId, nonce, body] = parts as [string, string, string, string];
  if (!/^[A-Za-z0-9_-]+$/.test(keyId + nonce + body)) return null;
  const n = Buffer.from(nonce, "base64url");
  const b = Buffer.from(body, "base64url");
  if (n.length !== NONCE_BYTES || b.length < TAG_BYTES) return null;
  return { keyId, nonce: n, body: b };
}

/**
 * A vault sealing with `current` and opening with `current` or any of `previous` (by key id), so
 * values sealed before a rotation stay readable until they are re-sealed.
 */
export function createVault(current: string | VaultKey, previous: (string | VaultKey)[] = []): Vault {
  const toKey = (k: string | VaultKey) => (typeof k === "string" ? deriveVaultKey(k) : k);
  const key = toKey(current);
  const keys = new Map<string, VaultKey>([[key.id, key]]);
  for (const p of previous) {
    const k = toKey(p);
    if (!keys.has(k.id)) keys.set(k.id, k);
  }
  return {
    keyId: key.id,
    seal(value, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key.material, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(key.id, context));
      const body = Buffer.concat([cipher.update(value, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `${SEAL_FORMAT}.${key.id}.${nonce.toString("base64url")}.${body.toString("base64url")}`;
    },
    open(sealed, context) {
      const p = parse(sealed);
      if (!p) throw new VaultError("malformed", "The stored value is not a sealed secret (wrong format).");
      const k = keys.get(p.keyId);
      if (!k)
        throw new VaultError(
          "unknown_key",
          `The stored value was sealed with key ${p.keyId}, which this installation does not have (key ${key.id}). Was SWITCHBOARD_SECRET_KEY changed without a rotation?`,
        );
      const decipher = createDecipheriv("aes-256-gcm", k.material, p.nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(aad(k.id, context));
      decipher.setAuthTag(p.body.subarray(p.body.length - TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(p.body.subarray(0, p.body.length - TAG_BYTES)),
          decipher.final(),
        ]).toString("utf8");
      } catch {
        throw new VaultError(
          "tampered",
          "The stored value does not authenticate: it was altered or belongs elsewhere.",
        );
      }
    },
    keyIdOf: (sealed) => parse(sealed)?.keyId ?? null,
    isCurrent: (sealed) => parse(sealed)?.keyId === key.id,
  };
}

/** Re-seals a value from one vault's key under another's (rotation). Values already current are returned as they are. */
export function reseal(sealed: string, context: string, from: Vault, to: Vault): string {
  if (to.isCurrent(sealed)) return sealed;
  return to.seal(from.open(sealed, context), context);
}

export interface SealedRow {
  id: string;
  sealed: string;
  /** The context it was sealed with. */
  context: string;
}

/**
 * Rotation: every row sealed under `oldKey` re-sealed under `newKey` (rows already under the new
 * key are left out, so a rotation that stopped halfway can simply be run again). Returns the
 * changed rows only. Throws VaultError when a row opens under neither key.
 */
export function rotate(
  rows: SealedRow[],
  oldKey: string | VaultKey,
  newKey: string | VaultKey,
): { id: string; sealed: string }[] {
  const to = createVault(newKey);
  const from = createVault(oldKey, [newKey]);
  const out: { id: string; sealed: string }[] = [];
  for (const row of rows) {
    if (to.isCurrent(row.sealed)) continue;
    out.push({ id: row.id, sealed: reseal(row.sealed, row.context, from, to) });
  }
  return out;
}
