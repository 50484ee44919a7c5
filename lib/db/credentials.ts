// Credentials: secret values (API keys, tokens) sealed with the vault (AES-256-GCM) in the
// Credential table. Write-only: every query returns metadata (name, kind, dates), never the value;
// the one way to a value is `revealForUse`, called by a provider or node at the moment it makes
// its call (it stamps lastUsedAt), and `secretValues` for the redactor. The sealed value is bound
// to its workspace and name, so a sealed value copied to another row does not open.
import { z } from "zod";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import { NonRetryableError } from "@/lib/contracts/errors";
import type { CredentialResolver, ResolvedCredential } from "@/lib/contracts/ports";
import { rotate, type Vault, VaultError, type VaultKey } from "@/lib/vault/seal";
import { type DbOrTx, prismaOf, transaction } from "./tx";
import { bumpConfigRevision } from "./workspace-config";

export interface CredentialMeta {
  id: string;
  name: string;
  kind: string;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
}

const META = {
  id: true,
  name: true,
  kind: true,
  createdById: true,
  createdAt: true,
  updatedAt: true,
  lastUsedAt: true,
} as const;

/** What lists and lookups show: the metadata and, for kinds header and query, the name that carries the value. */
export interface CredentialInfo extends CredentialMeta {
  /** The header (kind header) or query parameter (kind query) that carries the value. */
  field: string | null;
}

const INFO = { ...META, field: true } as const;

/** Largest value accepted (a service-account JSON fits). */
export const MAX_CREDENTIAL_BYTES = 64 * 1024;
/** lastUsedAt is written at most this often per credential. */
const LAST_USED_GRANULARITY_MS = 60_000;

export const credentialNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_.-]{0,63}$/, "must start with a letter; letters, digits, _ . - (at most 64)");

export const credentialInputSchema = z
  .object({
    name: credentialNameSchema,
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,31}$/, "must be lower-case letters, digits, _ or - (at most 32)")
      .default("secret"),
    value: z
      .string()
      .min(1, "must not be empty")
      .refine((v) => Buffer.byteLength(v) <= MAX_CREDENTIAL_BYTES, `must be at most ${MAX_CREDENTIAL_BYTES} bytes`),
    /** The header (kind header) or query parameter (kind query) that carries the value. */
    field: z
      .string()
      .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "must be a header or parameter name (letters, digits, - _ .)")
      .nullable()
      .optional(),
  })
  .strict();

export type CredentialInput = z.input<typeof credentialInputSchema>;

/** What a sealed value is bound to (the AEAD's additional data). */
export const credentialContext = (workspaceId: string, name: string) => `credential/${workspaceId}/${name}`;

function parseInput(input: unknown) {
  const parsed = credentialInputSchema.safeParse(input);
  if (!parsed.success) throw invalidFromZod(parsed.error, "credential");
  return parsed.data;
}

function parseName(name: unknown): string {
  const parsed = credentialNameSchema.safeParse(name);
  if (!parsed.success) throw invalidFromZod(parsed.error, "credential");
  return parsed.data;
}

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

/** The names of a workspace's credentials (no vault needed: names are not secret). */
export async function credentialNames(db: DbOrTx, workspaceId: string): Promise<string[]> {
  const rows = await prismaOf(db).credential.findMany({ where: { workspaceId }, select: { name: true } });
  return rows.map((r) => r.name);
}

export interface CredentialStore {
  list(workspaceId: string): Promise<CredentialInfo[]>;
  get(workspaceId: string, name: string): Promise<CredentialInfo | null>;
  /** Throws conflict:credential when the name is taken, invalid:credential on bad input. */
  create(workspaceId: string, input: CredentialInput, createdById?: string | null): Promise<CredentialMeta>;
  /** Replaces the value (and kind and field when given). Throws not_found:credential. */
  replaceValue(
    workspaceId: string,
    name: string,
    value: string,
    kind?: string,
    field?: string | null,
  ): Promise<CredentialMeta>;
  /** Throws not_found:credential. */
  remove(workspaceId: string, name: string): Promise<void>;
  /** The value, for a call being made now (stamps lastUsedAt); null when there is no such credential. */
  revealForUse(workspaceId: string, name: string, now?: Date): Promise<string | null>;
  /** The value with its kind and field, for a call being made now (stamps lastUsedAt like revealForUse). */
  resolveForUse(workspaceId: string, name: string, now?: Date): Promise<ResolvedCredential | null>;
  /** Every value of the workspace, for the redactor (no lastUsedAt stamp). */
  secretValues(workspaceId: string): Promise<string[]>;
  /** The engine's CredentialResolver port over revealForUse; vault failures become NonRetryableError. */
  resolver(): CredentialResolver;
}

export function createCredentialStore(db: DbOrTx, vault: Vault): CredentialStore {
  const p = () => prismaOf(db);

  async function resolveForUse(
    workspaceId: string,
    name: string,
    now = new Date(),
  ): Promise<ResolvedCredential | null> {
    const row = await p().credential.findUnique({
      where: { workspaceId_name: { workspaceId, name } },
      select: { id: true, sealedValue: true, lastUsedAt: true, kind: true, field: true },
    });
    if (!row) return null;
    const value = vault.open(row.sealedValue, credentialContext(workspaceId, name));
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_GRANULARITY_MS)
      await p().credential.update({ where: { id: row.id }, data: { lastUsedAt: now }, select: { id: true } });
    return { value, kind: row.kind, field: row.field };
  }

  async function revealForUse(workspaceId: string, name: string, now = new Date()): Promise<string | null> {
    return (await resolveForUse(workspaceId, name, now))?.value ?? null;
  }

  const opening = (name: string, e: unknown) =>
    e instanceof VaultError
      ? new NonRetryableError(`The credential "${name}" cannot be opened: ${e.message}`, { cause: e })
      : e;

  return {
    list: (workspaceId) => p().credential.findMany({ where: { workspaceId }, select: INFO, orderBy: { name: "asc" } }),

    get: (workspaceId, name) =>
      p().credential.findUnique({ where: { workspaceId_name: { workspaceId, name } }, select: INFO }),

    async create(workspaceId, input, createdById = null) {
      const data = parseInput(input);
      try {
        const created = await p().credential.create({
          data: {
            workspaceId,
            name: data.name,
            kind: data.kind,
            field: data.field ?? null,
            sealedValue: vault.seal(data.value, credentialContext(workspaceId, data.name)),
            createdById,
          },
          select: META,
        });
        await bumpConfigRevision(db, workspaceId);
        return created;
      } catch (e) {
        if (isUniqueViolation(e))
          throw new AppError("conflict:credential", {
            message: `A credential named "${data.name}" already exists.`,
            fieldErrors: [{ path: "name", message: "is already taken" }],
          });
        throw e;
      }
    },

    async replaceValue(workspaceId, name, value, kind, field) {
      const data = parseInput({
        name,
        value,
        ...(kind !== undefined ? { kind } : {}),
        ...(field !== undefined ? { field } : {}),
      });
      const found = await p().credential.findUnique({
        where: { workspaceId_name: { workspaceId, name: data.name } },
        select: { id: true },
      });
      if (!found) throw new AppError("not_found:credential");
      const updated = await p().credential.update({
        where: { id: found.id },
        data: {
          sealedValue: vault.seal(data.value, credentialContext(workspaceId, data.name)),
          ...(kind !== undefined ? { kind: data.kind } : {}),
          ...(field !== undefined ? { field: data.field ?? null } : {}),
        },
        select: META,
      });
      await bumpConfigRevision(db, workspaceId);
      return updated;
    },

    async remove(workspaceId, name) {
      const { count } = await p().credential.deleteMany({ where: { workspaceId, name: parseName(name) } });
      if (count === 0) throw new AppError("not_found:credential");
      await bumpConfigRevision(db, workspaceId);
    },

    revealForUse,
    resolveForUse,

    async secretValues(workspaceId) {
      const rows = await p().credential.findMany({
        where: { workspaceId },
        select: { name: true, sealedValue: true },
      });
      return rows.map((r) => vault.open(r.sealedValue, credentialContext(workspaceId, r.name)));
    },

    resolver() {
      return {
        async get(workspaceId, name) {
          try {
            return await revealForUse(workspaceId, name);
          } catch (e) {
            throw opening(name, e);
          }
        },
        async resolve(workspaceId, name) {
          try {
            return await resolveForUse(workspaceId, name);
          } catch (e) {
            throw opening(name, e);
          }
        },
      };
    },
  };
}

/**
 * Re-seals every credential sealed under `oldKey` with `newKey`, in one transaction. Rows already
 * under the new key are skipped, so it can be run again after an interruption; a row changed
 * meanwhile (its sealed value no longer the one read) is left for the next run.
 */
export async function rotateCredentialKeys(
  db: DbOrTx,
  oldKey: string | VaultKey,
  newKey: string | VaultKey,
): Promise<{ resealed: number; alreadyCurrent: number }> {
  return transaction(db, async (tx) => {
    const rows = await tx.credential.findMany({
      select: { id: true, workspaceId: true, name: true, sealedValue: true },
    });
    const byId = new Map(rows.map((r) => [r.id, r]));
    const changed = rotate(
      rows.map((r) => ({ id: r.id, sealed: r.sealedValue, context: credentialContext(r.workspaceId, r.name) })),
      oldKey,
      newKey,
    );
    let resealed = 0;
    const workspaces = new Set<string>();
    for (const c of changed) {
      const { count } = await tx.credential.updateMany({
        where: { id: c.id, sealedValue: byId.get(c.id)!.sealedValue },
        data: { sealedValue: c.sealed },
      });
      resealed += count;
      if (count > 0) workspaces.add(byId.get(c.id)!.workspaceId);
    }
    for (const ws of workspaces) await bumpConfigRevision(tx, ws);
    return { resealed, alreadyCurrent: rows.length - changed.length };
  });
}
