// Named credentials of a workspace (Settings → Credentials, the http node's `credential`, model
// providers' keys): create, replace the value, delete. Admins only (credential.manage), or the
// CLI. Values are sealed in the vault and never returned: lists show the name, kind and when it
// was last used. Each change and its audit entry commit together.
import { z } from "zod";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import { type CredentialInfo, credentialNameSchema, MAX_CREDENTIAL_BYTES } from "@/lib/db/credentials";
import { listModelProviders } from "@/lib/db/model-providers";
import { transaction } from "@/lib/db/tx";
import { auditActorOf, type Caller, creatorOf, requireAllowed } from "./caller";
import type { Platform } from "./platform";

export const CREDENTIAL_KINDS = ["bearer", "basic", "header", "query", "secret"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

export const CREDENTIAL_KIND_LABELS: Record<CredentialKind, string> = {
  bearer: "Bearer token (Authorization: Bearer …)",
  basic: "Basic auth (user:password)",
  header: "Header (a header of your choice)",
  query: "Query parameter",
  secret: "Plain secret",
};

const fieldSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "must be a header or parameter name (letters, digits, - _ .)");

const valueSchema = z
  .string({ error: "is required" })
  .min(1, "must not be empty")
  .refine((v) => Buffer.byteLength(v) <= MAX_CREDENTIAL_BYTES, `must be at most ${MAX_CREDENTIAL_BYTES} bytes`);

/** What a kind needs besides the value: header and query name their field; basic is user:password. */
function kindProblems(c: { kind: string; field?: string | null; value?: string }): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if ((c.kind === "header" || c.kind === "query") && !c.field)
    out.push({
      path: "field",
      message:
        c.kind === "header"
          ? "a header credential needs the header's name"
          : "a query credential needs the parameter's name",
    });
  if (c.kind === "basic" && c.value !== undefined && !c.value.includes(":"))
    out.push({ path: "value", message: "must be user:password" });
  return out;
}

function checkKind(c: { kind: string; field?: string | null; value?: string }, ctx: z.RefinementCtx) {
  for (const p of kindProblems(c)) ctx.addIssue({ code: "custom", path: [p.path], message: p.message });
}

export const createCredentialSchema = z
  .object({
    name: credentialNameSchema,
    kind: z.enum(CREDENTIAL_KINDS, { error: `must be one of ${CREDENTIAL_KINDS.join(", ")}` }),
    field: fieldSchema.nullable().optional(),
    value: valueSchema,
  })
  .strict()
  .superRefine(checkKind);
export type CreateCredentialInput = z.input<typeof createCredentialSchema>;

export const replaceCredentialSchema = z
  .object({
    name: credentialNameSchema,
    value: valueSchema,
    kind: z.enum(CREDENTIAL_KINDS).optional(),
    field: fieldSchema.nullable().optional(),
  })
  .strict();
export type ReplaceCredentialInput = z.input<typeof replaceCredentialSchema>;

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidFromZod(parsed.error, "credential");
  return parsed.data;
}

export interface CredentialView {
  name: string;
  kind: string;
  field: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
  /** model providers whose key it is */
  usedByProviders: string[];
}

export async function listCredentials(platform: Platform, workspaceId: string): Promise<CredentialView[]> {
  const [rows, providers] = await Promise.all([
    platform.credentials.list(workspaceId),
    listModelProviders(platform.db, workspaceId),
  ]);
  return rows.map((c: CredentialInfo) => ({
    name: c.name,
    kind: c.kind,
    field: c.field,
    createdAt: c.createdAt.toISOString(),
    updatedAt: c.updatedAt.toISOString(),
    lastUsedAt: c.lastUsedAt?.toISOString() ?? null,
    usedByProviders: providers.filter((p) => p.credential === c.name).map((p) => p.name),
  }));
}

export async function createCredential(
  platform: Platform,
  caller: Caller,
  raw: CreateCredentialInput,
): Promise<{ name: string; kind: string }> {
  requireAllowed(caller, "credential.manage", "credential");
  const input = parse(createCredentialSchema, raw);
  const workspaceId = caller.workspaceId;
  const created = await transaction(platform.db, async (tx) => {
    const row = await platform
      .credentialsIn(tx)
      .create(
        workspaceId,
        { name: input.name, kind: input.kind, field: input.field ?? null, value: input.value },
        creatorOf(caller),
      );
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "credential.created",
      targetType: "credential",
      targetId: row.id,
      summary: `Created the credential “${row.name}” (${row.kind})`,
      data: { name: row.name, kind: row.kind, field: input.field ?? null },
    });
    return row;
  });
  platform.addSecret(workspaceId, input.value);
  platform.invalidate(workspaceId);
  return { name: created.name, kind: created.kind };
}

export async function replaceCredential(
  platform: Platform,
  caller: Caller,
  raw: ReplaceCredentialInput,
): Promise<{ name: string; kind: string }> {
  requireAllowed(caller, "credential.manage", "credential");
  const input = parse(replaceCredentialSchema, raw);
  const workspaceId = caller.workspaceId;
  const updated = await transaction(platform.db, async (tx) => {
    const store = platform.credentialsIn(tx);
    const current = await store.get(workspaceId, input.name);
    if (!current) throw new AppError("not_found:credential");
    const kind = input.kind ?? current.kind;
    const field = input.field !== undefined ? input.field : current.field;
    const problems = kindProblems({ kind, field, value: input.value });
    if (problems.length > 0)
      throw new AppError("invalid:credential", {
        message: `${problems[0]!.path}: ${problems[0]!.message}`,
        fieldErrors: problems,
      });
    const row = await store.replaceValue(workspaceId, input.name, input.value, input.kind, input.field);
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "credential.replaced",
      targetType: "credential",
      targetId: row.id,
      summary: `Replaced the value of the credential “${row.name}”${input.kind && input.kind !== current.kind ? ` (now ${row.kind})` : ""}`,
      data: { name: row.name, kind: row.kind, field },
    });
    return row;
  });
  platform.addSecret(workspaceId, input.value);
  platform.invalidate(workspaceId);
  return { name: updated.name, kind: updated.kind };
}

/** Deletes a credential; refused (conflict) while a model provider uses it as its key. */
export async function deleteCredential(
  platform: Platform,
  caller: Caller,
  raw: { name: string },
): Promise<{ name: string }> {
  requireAllowed(caller, "credential.manage", "credential");
  const { name } = parse(z.object({ name: credentialNameSchema }).strict(), raw);
  const workspaceId = caller.workspaceId;
  await transaction(platform.db, async (tx) => {
    const users = (await listModelProviders(tx, workspaceId)).filter((p) => p.credential === name);
    if (users.length > 0)
      throw new AppError("conflict:credential", {
        message: `“${name}” is the API key of the model provider${users.length > 1 ? "s" : ""} ${users.map((u) => `“${u.name}”`).join(", ")}: remove the provider first.`,
      });
    const store = platform.credentialsIn(tx);
    const current = await store.get(workspaceId, name);
    if (!current) throw new AppError("not_found:credential");
    await store.remove(workspaceId, name);
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "credential.deleted",
      targetType: "credential",
      targetId: current.id,
      summary: `Deleted the credential “${name}”`,
      data: { name, kind: current.kind },
    });
  });
  platform.invalidate(workspaceId);
  return { name };
}
