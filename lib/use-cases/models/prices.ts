// Model prices of a workspace (USD per million input/output tokens): an admin's price for a
// `PROVIDER:MODEL` wins over the built-in defaults for well-known models (lib/providers/prices.ts);
// OpenAI-compatible servers have no defaults (cost 0 until priced). Admins only, or the CLI.
import { z } from "zod";
import { AppError, invalidFromZod } from "@/lib/contracts/app-errors";
import type { ModelPrice } from "@/lib/contracts/ports";
import { recordAudit } from "@/lib/db/audit";
import { deleteModelPrice, getModelProvider, setModelPrice } from "@/lib/db/model-providers";
import { transaction } from "@/lib/db/tx";
import { defaultPrice, type ProviderKind, parseModelId } from "@/lib/providers";
import { auditActorOf, type Caller, requireAllowed } from "./caller";
import type { Platform } from "./platform";

const usd = (label: string) =>
  z
    .number({ error: `${label} must be a number (USD per million tokens)` })
    .finite()
    .min(0, `${label} must not be negative`)
    .max(100_000, `${label} must be at most 100000`);

export const setPriceSchema = z
  .object({
    model: z
      .string()
      .trim()
      .refine((m) => parseModelId(m) !== null, "must be PROVIDER:MODEL (e.g. work:gpt-4.1-mini)"),
    inputPerMTok: usd("The input price"),
    outputPerMTok: usd("The output price"),
  })
  .strict();
export type SetPriceInput = z.input<typeof setPriceSchema>;

async function requireProvider(platform: Platform, workspaceId: string, model: string) {
  const id = parseModelId(model)!;
  const provider = await getModelProvider(platform.db, workspaceId, id.provider);
  if (!provider)
    throw new AppError("invalid:price", {
      message: `There is no model provider "${id.provider}" in this workspace.`,
      fieldErrors: [{ path: "model", message: `names no configured provider ("${id.provider}")` }],
    });
  return { id, provider };
}

const money = (p: ModelPrice) => `$${p.inputPerMTok} in / $${p.outputPerMTok} out per 1M tokens`;

export async function setPrice(
  platform: Platform,
  caller: Caller,
  raw: SetPriceInput,
): Promise<{ model: string } & ModelPrice> {
  requireAllowed(caller, "settings.manage", "settings");
  const parsed = setPriceSchema.safeParse(raw);
  if (!parsed.success) throw invalidFromZod(parsed.error, "price");
  const input = parsed.data;
  const workspaceId = caller.workspaceId;
  await requireProvider(platform, workspaceId, input.model);
  await transaction(platform.db, async (tx) => {
    const { before } = await setModelPrice(tx, workspaceId, input);
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "price.set",
      targetType: "price",
      targetId: input.model,
      summary: `Priced ${input.model} at ${money(input)}${before ? ` (was ${money(before)})` : ""}`,
      data: { model: input.model, inputPerMTok: input.inputPerMTok, outputPerMTok: input.outputPerMTok, before },
    });
  });
  platform.invalidate(workspaceId);
  return { model: input.model, inputPerMTok: input.inputPerMTok, outputPerMTok: input.outputPerMTok };
}

/** Removes an admin's price: the default (if any) applies again. */
export async function removePrice(
  platform: Platform,
  caller: Caller,
  raw: { model: string },
): Promise<{ model: string }> {
  requireAllowed(caller, "settings.manage", "settings");
  const model = String(raw?.model ?? "").trim();
  const workspaceId = caller.workspaceId;
  await transaction(platform.db, async (tx) => {
    if (!(await deleteModelPrice(tx, workspaceId, model))) throw new AppError("not_found:price");
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action: "price.removed",
      targetType: "price",
      targetId: model,
      summary: `Removed the price of ${model} (the default applies)`,
      data: { model },
    });
  });
  platform.invalidate(workspaceId);
  return { model };
}

export interface PriceView {
  /** PROVIDER:MODEL */
  id: string;
  model: string;
  price: ModelPrice | null;
  source: "override" | "default" | null;
}

/** A provider's models with their prices: listed models, priced models and the kind's defaults. */
export function pricedModels(
  provider: { name: string; kind: string; models: string[] | null },
  overrides: Record<string, ModelPrice>,
  defaults: Record<string, ModelPrice> | undefined,
): PriceView[] {
  const names = new Set<string>(provider.models ?? []);
  for (const id of Object.keys(overrides)) {
    const p = parseModelId(id);
    if (p && p.provider === provider.name) names.add(p.model);
  }
  if (provider.kind !== "openai-compatible") for (const m of Object.keys(defaults ?? {})) names.add(m);
  return [...names].sort().map((model) => {
    const id = `${provider.name}:${model}`;
    const own = overrides[id];
    if (own) return { id, model, price: own, source: "override" as const };
    const found = defaultPrice(provider.kind as ProviderKind, model);
    return { id, model, price: found, source: found ? ("default" as const) : null };
  });
}
