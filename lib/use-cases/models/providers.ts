// Model providers of a workspace: add, change, remove, test the connection, refresh the model
// list. Admins only (settings.manage) or the CLI. A provider's API key goes into the vault as the
// credential `provider-<name>` (or an existing credential is named); the ModelProvider row only
// names it. Each change, its credential and its audit entry commit in one transaction; the
// key never appears in an audit entry, an error or a return value.
import { z } from "zod";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import type { SerializedError } from "@/lib/contracts/errors";
import { recordAudit } from "@/lib/db/audit";
import { credentialNameSchema } from "@/lib/db/credentials";
import {
  createModelProvider,
  deleteModelProvider,
  getModelProvider,
  listModelProviders,
  type ModelProviderRow,
  setProviderModels,
  updateModelProvider,
} from "@/lib/db/model-providers";
import { transaction } from "@/lib/db/tx";
import { listModels, PROVIDER_KINDS, type ProviderConfig, testConnection } from "@/lib/providers";
import { createRedactor } from "@/lib/vault/redact";
import { auditActorOf, type Caller, creatorOf, requireAllowed } from "./caller";
import { type Platform, providerConfigOf } from "./platform";

export const providerNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "must be lower-case letters, digits and dashes (at most 40)")
  .refine((n) => n !== "simulated", '"simulated" is the built-in model');

const baseUrlSchema = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => /^https?:\/\/[^\s]+$/i.test(u) && URL.canParse(u), "must be an http or https URL");

export const addProviderSchema = z
  .object({
    name: providerNameSchema,
    kind: z.enum(PROVIDER_KINDS, { error: `must be one of ${PROVIDER_KINDS.join(", ")}` }),
    baseUrl: baseUrlSchema.optional(),
    /** The key itself: stored in the vault as the credential `provider-<name>`. */
    apiKey: z.string().min(1, "must not be empty").max(10_000).optional(),
    /** Or the name of an existing credential holding it. */
    credential: credentialNameSchema.optional(),
    api: z.enum(["responses", "chat"]).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === "openai-compatible" && !c.baseUrl)
      ctx.addIssue({ code: "custom", path: ["baseUrl"], message: "an OpenAI-compatible provider needs its base URL" });
    if (c.apiKey && c.credential)
      ctx.addIssue({
        code: "custom",
        path: ["credential"],
        message: "give either an API key or a credential, not both",
      });
    if (c.kind !== "openai-compatible" && !c.apiKey && !c.credential)
      ctx.addIssue({ code: "custom", path: ["apiKey"], message: `a ${c.kind} provider needs an API key` });
    if (c.api && c.kind !== "openai")
      ctx.addIssue({ code: "custom", path: ["api"], message: "only OpenAI providers choose an API" });
  });
export type AddProviderInput = z.input<typeof addProviderSchema>;

export const updateProviderSchema = z
  .object({
    name: providerNameSchema,
    /** null: back to the kind's public API (not for openai-compatible) */
    baseUrl: baseUrlSchema.nullable().optional(),
    /** a new key (replaces the value of the provider's credential) */
    apiKey: z.string().min(1, "must not be empty").max(10_000).optional(),
    /** or an existing credential to use from now on (its value is not touched) */
    credential: credentialNameSchema.optional(),
    api: z.enum(["responses", "chat"]).nullable().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.apiKey && c.credential)
      ctx.addIssue({
        code: "custom",
        path: ["credential"],
        message: "give either an API key or a credential, not both",
      });
  });
export type UpdateProviderInput = z.input<typeof updateProviderSchema>;

/** The credential a provider's own key is stored under. */
export const providerCredentialName = (provider: string) => `provider-${provider}`;

/** A provider as pages and the CLI show it: never a key, only whether one is set. */
export interface ProviderView {
  name: string;
  kind: string;
  baseUrl: string | null;
  api: string | null;
  credential: string | null;
  /** true when the credential it names exists */
  keySet: boolean;
  keyLastUsedAt: string | null;
  models: string[] | null;
  modelsListedAt: string | null;
  createdAt: string;
}

function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidFromZod(parsed.error, "provider");
  return parsed.data;
}

export async function listProviders(platform: Platform, workspaceId: string): Promise<ProviderView[]> {
  const [rows, creds] = await Promise.all([
    listModelProviders(platform.db, workspaceId),
    platform.credentials.list(workspaceId),
  ]);
  const byName = new Map(creds.map((c) => [c.name, c]));
  return rows.map((r) => {
    const cred = r.credential ? byName.get(r.credential) : undefined;
    return {
      name: r.name,
      kind: r.kind,
      baseUrl: r.baseUrl,
      api: r.api,
      credential: r.credential,
      keySet: Boolean(cred),
      keyLastUsedAt: cred?.lastUsedAt?.toISOString() ?? null,
      models: r.models,
      modelsListedAt: r.modelsListedAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    };
  });
}

export async function addProvider(
  platform: Platform,
  caller: Caller,
  raw: AddProviderInput,
): Promise<{ name: string; kind: string }> {
  requireAllowed(caller, "settings.manage", "settings");
  const input = parse(addProviderSchema, raw);
  const workspaceId = caller.workspaceId;
  const created = await transaction(platform.db, async (tx) => {
    const credentials = platform.credentialsIn(tx);
    let credential: string | null = input.credential ?? null;
    if (credential && !(await credentials.get(workspaceId, credential)))
      throw new AppError("invalid:provider", {
        message: `There is no credential named "${credential}".`,
        fieldErrors: [{ path: "credential", message: "does not exist" }],
      });
    if (input.apiKey) {
      credential = providerCredentialName(input.name);
      if (await credentials.get(workspaceId, credential))
        await credentials.replaceValue(workspaceId, credential, input.apiKey, "secret", null);
      else
        await credentials.create(
          workspaceId,
          { name: credential, kind: "secret", value: input.apiKey },
          creatorOf(caller),
        );
    }
    const row = await createModelProvider(
      tx,
      workspaceId,
      { name: input.name, kind: input.kind, baseUrl: input.baseUrl ?? null, credential, api: input.api ?? null },
      creatorOf(caller),
    );
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "provider.added",
      targetType: "provider",
      targetId: row.id,
      summary: `Added the model provider “${row.name}” (${row.kind}${row.baseUrl ? `, ${row.baseUrl}` : ""})`,
      data: { name: row.name, kind: row.kind, baseUrl: row.baseUrl, credential, keyGiven: Boolean(input.apiKey) },
    });
    return row;
  });
  platform.invalidate(workspaceId);
  return { name: created.name, kind: created.kind };
}

export async function updateProvider(
  platform: Platform,
  caller: Caller,
  raw: UpdateProviderInput,
): Promise<{ name: string }> {
  requireAllowed(caller, "settings.manage", "settings");
  const input = parse(updateProviderSchema, raw);
  const workspaceId = caller.workspaceId;
  await transaction(platform.db, async (tx) => {
    const current = await getModelProvider(tx, workspaceId, input.name);
    if (!current) throw new AppError("not_found:provider");
    if (input.baseUrl === null && current.kind === "openai-compatible")
      throw new AppError("invalid:provider", {
        message: "An OpenAI-compatible provider needs its base URL.",
        fieldErrors: [{ path: "baseUrl", message: "an OpenAI-compatible provider needs its base URL" }],
      });
    if (input.api && current.kind !== "openai")
      throw new AppError("invalid:provider", {
        message: "Only OpenAI providers choose an API.",
        fieldErrors: [{ path: "api", message: "only OpenAI providers choose an API" }],
      });
    const credentials = platform.credentialsIn(tx);
    let credential = current.credential;
    if (input.credential) {
      if (!(await credentials.get(workspaceId, input.credential)))
        throw new AppError("invalid:provider", {
          message: `There is no credential named "${input.credential}".`,
          fieldErrors: [{ path: "credential", message: "does not exist" }],
        });
      credential = input.credential;
    }
    if (input.apiKey) {
      credential ??= providerCredentialName(current.name);
      if (await credentials.get(workspaceId, credential))
        await credentials.replaceValue(workspaceId, credential, input.apiKey);
      else
        await credentials.create(
          workspaceId,
          { name: credential, kind: "secret", value: input.apiKey },
          creatorOf(caller),
        );
    }
    const { after } = await updateModelProvider(tx, workspaceId, input.name, {
      ...(input.baseUrl !== undefined ? { baseUrl: input.baseUrl } : {}),
      ...(input.api !== undefined ? { api: input.api } : {}),
      ...(credential !== current.credential ? { credential } : {}),
    });
    const changed = [
      input.baseUrl !== undefined && input.baseUrl !== current.baseUrl ? "base URL" : null,
      input.apiKey ? "API key" : null,
      credential !== current.credential ? `credential ${credential}` : null,
      input.api !== undefined && input.api !== current.api ? "API" : null,
    ].filter(Boolean);
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "provider.updated",
      targetType: "provider",
      targetId: after.id,
      summary: `Changed the model provider “${after.name}”${changed.length ? ` (${changed.join(", ")})` : ""}`,
      data: {
        name: after.name,
        baseUrl: after.baseUrl,
        api: after.api,
        credential: after.credential,
        keyReplaced: Boolean(input.apiKey),
      },
    });
  });
  platform.invalidate(workspaceId);
  return { name: input.name };
}

/** Removes the provider, its price overrides and its own key (`provider-<name>`; other credentials stay). */
export async function removeProvider(
  platform: Platform,
  caller: Caller,
  raw: { name: string },
): Promise<{ name: string }> {
  requireAllowed(caller, "settings.manage", "settings");
  const name = parse(z.object({ name: providerNameSchema }).strict(), raw).name;
  const workspaceId = caller.workspaceId;
  await transaction(platform.db, async (tx) => {
    const removed = await deleteModelProvider(tx, workspaceId, name);
    const own = providerCredentialName(name);
    const credentials = platform.credentialsIn(tx);
    const ownRemoved = removed.credential === own && (await credentials.get(workspaceId, own)) !== null;
    if (ownRemoved) await credentials.remove(workspaceId, own);
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "provider.removed",
      targetType: "provider",
      targetId: removed.id,
      summary: `Removed the model provider “${removed.name}”${ownRemoved ? " and its API key" : ""}`,
      data: { name: removed.name, kind: removed.kind, keyRemoved: ownRemoved },
    });
  });
  platform.invalidate(workspaceId);
  return { name };
}

export type ProviderTestResult =
  | { ok: true; latencyMs: number; via: "models" | "generate"; models: number | null }
  | { ok: false; latencyMs: number; error: { code: string; message: string } };

async function providerSetup(platform: Platform, workspaceId: string, name: string) {
  const row = await getModelProvider(platform.db, workspaceId, name);
  if (!row) throw new AppError("not_found:provider", { message: `There is no model provider named "${name}".` });
  const config = providerConfigOf(row);
  if (!config)
    throw new AppError("invalid:provider", { message: `The model provider "${name}" is not a valid configuration.` });
  let apiKey: string | undefined;
  if (row.credential) {
    const value = await platform.credentials.revealForUse(workspaceId, row.credential);
    if (value === null)
      return { row, config, apiKey, missing: `The credential "${row.credential}" of "${name}" does not exist.` };
    apiKey = value;
    platform.addSecret(workspaceId, value);
  }
  const fetch = await platform.fetchFor(workspaceId, `the model provider "${name}"`);
  return { row, config, apiKey, fetch, missing: null as string | null };
}

const safeError = (error: SerializedError | { code?: string; message?: string }, secrets: string[]) => {
  const r = createRedactor(secrets);
  return { code: String(error.code ?? "error"), message: r.redactText(String(error.message ?? "failed")) };
};

/**
 * Tests the connection: lists the models (no tokens spent) and stores the list; a server without
 * a listing is asked for one token of `model` instead. Latency or the error (the key redacted).
 */
export async function testProvider(
  platform: Platform,
  caller: Caller,
  raw: { name: string; model?: string },
): Promise<ProviderTestResult> {
  requireAllowed(caller, "settings.manage", "settings");
  const { name, model } = parse(
    z.object({ name: providerNameSchema, model: z.string().min(1).max(200).optional() }).strict(),
    raw,
  );
  const setup = await providerSetup(platform, caller.workspaceId, name);
  if (setup.missing) return { ok: false, latencyMs: 0, error: { code: "not_found", message: setup.missing } };
  const options = { apiKey: setup.apiKey, fetch: setup.fetch };
  const secrets = setup.apiKey ? [setup.apiKey] : [];
  const started = performance.now();
  try {
    const models = await listModels(setup.config, options);
    const latencyMs = Math.round(performance.now() - started);
    await setProviderModels(
      platform.db,
      caller.workspaceId,
      name,
      models.map((m) => m.id),
      new Date(),
    );
    return { ok: true, latencyMs, via: "models", models: models.length };
  } catch (e) {
    const err = e as { data?: { status?: number }; toJSON?: () => SerializedError; code?: string; message?: string };
    const status = err.data?.status;
    if (!model || (status !== 404 && status !== 405))
      return {
        ok: false,
        latencyMs: Math.round(performance.now() - started),
        error: safeError(err.toJSON ? err.toJSON() : err, secrets),
      };
  }
  const r = await testConnection(setup.config, { ...options, model });
  return r.ok ? r : { ok: false, latencyMs: r.latencyMs, error: safeError(r.error, secrets) };
}

/** Asks the provider for its models again and stores the list. */
export async function refreshProviderModels(
  platform: Platform,
  caller: Caller,
  raw: { name: string },
): Promise<{ models: string[] }> {
  requireAllowed(caller, "settings.manage", "settings");
  const { name } = parse(z.object({ name: providerNameSchema }).strict(), raw);
  const setup = await providerSetup(platform, caller.workspaceId, name);
  if (setup.missing) throw new AppError("invalid:provider", { message: setup.missing });
  try {
    const models = (await listModels(setup.config, { apiKey: setup.apiKey, fetch: setup.fetch })).map((m) => m.id);
    await setProviderModels(platform.db, caller.workspaceId, name, models, new Date());
    return { models };
  } catch (e) {
    const err = e as { toJSON?: () => SerializedError; code?: string; message?: string };
    const safe = safeError(err.toJSON ? err.toJSON() : err, setup.apiKey ? [setup.apiKey] : []);
    throw new AppError("invalid:provider", { message: `${name} did not list its models: ${safe.message}` });
  }
}

export type { ModelProviderRow, ProviderConfig };
