"use server";
// Settings → Models: model providers and prices, one-liners over lib/use-cases/models through
// authedAction (session, admin role, workspace). The use cases validate (each bad field named),
// write the change and its audit entry in one transaction, and never return a key.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import {
  addProvider,
  refreshProviderModels,
  removePrice,
  removeProvider,
  setPrice,
  testProvider,
  updateProvider,
} from "@/lib/use-cases/models";

/** A form text: "" means not given (the use case trims and validates, naming the field). */
const text = z
  .string()
  .max(70_000)
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));
/** A number typed into a form: "" is missing; anything else must be a number. */
const usd = z
  .union([z.number(), z.string()])
  .transform((v) => (typeof v === "number" ? v : v.trim() === "" ? Number.NaN : Number(v)));

const then =
  (...paths: string[]) =>
  <T>(result: T): T => {
    for (const p of paths) revalidatePath(p);
    return result;
  };

export const addProviderAction = authedAction(
  {
    action: "settings.manage",
    input: z.object({
      name: z.string().max(200),
      kind: z.string().max(50),
      baseUrl: text,
      apiKey: text,
      credential: text,
      api: text,
    }),
  },
  ({ actor, input, host }) =>
    addProvider(host.platform, actor, input as Parameters<typeof addProvider>[2]).then(then("/settings/models")),
);

export const updateProviderAction = authedAction(
  {
    action: "settings.manage",
    input: z.object({ name: z.string().max(200), baseUrl: text, apiKey: text, credential: text }),
  },
  ({ actor, input, host }) => updateProvider(host.platform, actor, input).then(then("/settings/models")),
);

export const removeProviderAction = authedAction(
  { action: "settings.manage", input: z.object({ name: z.string().max(200) }) },
  ({ actor, input, host }) =>
    removeProvider(host.platform, actor, input).then(then("/settings/models", "/settings/credentials")),
);

export const testProviderAction = authedAction(
  { action: "settings.manage", input: z.object({ name: z.string().max(200), model: text }) },
  ({ actor, input, host }) => testProvider(host.platform, actor, input).then(then("/settings/models")),
);

export const refreshModelsAction = authedAction(
  { action: "settings.manage", input: z.object({ name: z.string().max(200) }) },
  ({ actor, input, host }) => refreshProviderModels(host.platform, actor, input).then(then("/settings/models")),
);

export const setPriceAction = authedAction(
  { action: "settings.manage", input: z.object({ model: z.string().max(300), inputPerMTok: usd, outputPerMTok: usd }) },
  ({ actor, input, host }) => setPrice(host.platform, actor, input).then(then("/settings/models")),
);

export const removePriceAction = authedAction(
  { action: "settings.manage", input: z.object({ model: z.string().max(300) }) },
  ({ actor, input, host }) => removePrice(host.platform, actor, input).then(then("/settings/models")),
);
