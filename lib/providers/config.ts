/**
 * A model provider as an administrator configures it. `name` is the admin's name for it and the
 * first half of a model id (`<name>:<model>`), so it follows the agent node's rule for the
 * provider part (lower-case letters, digits, dashes).
 */
import { z } from "zod";

export const PROVIDER_KINDS = ["openai", "anthropic", "google", "openai-compatible"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

/** Where each kind's API lives when no base URL is given (never read from the environment). */
export const DEFAULT_BASE_URLS: Record<Exclude<ProviderKind, "openai-compatible">, string> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com/v1",
  google: "https://generativelanguage.googleapis.com/v1beta",
};

export const providerConfigSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be lower-case letters, digits and dashes (at most 63)")
      .refine((n) => n !== "simulated", '"simulated" is the built-in model'),
    kind: z.enum(PROVIDER_KINDS),
    baseUrl: z
      .url()
      .max(2000)
      .refine((u) => /^https?:\/\//i.test(u), "must be an http or https URL")
      .optional(),
    /** The key itself (tests, the CLI); installations keep it in the vault and set `credential`. */
    apiKey: z.string().min(1).max(10_000).optional(),
    /** Name of a vault credential holding the key, revealed at call time. */
    credential: z.string().min(1).max(200).optional(),
    /** openai only: `responses` (default, what `openai(id)` calls) or `chat` (chat completions). */
    api: z.enum(["responses", "chat"]).optional(),
    /** The provider runs on a private network (a local server): its address may be private or loopback. */
    allowPrivateNetwork: z.boolean().optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.kind === "openai-compatible" && !c.baseUrl)
      ctx.addIssue({ code: "custom", path: ["baseUrl"], message: "an OpenAI-compatible provider needs its base URL" });
    if (c.apiKey && c.credential)
      ctx.addIssue({ code: "custom", path: ["credential"], message: "give either apiKey or credential, not both" });
  });

export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** The model id rule of the agent node: `<provider>:<model>`; the model part may itself contain `:`. */
const MODEL_ID = /^([a-z0-9][a-z0-9-]{0,62}):([A-Za-z0-9._:/-]{1,200})$/;

/** Splits `provider:model`; null when the id does not have that shape. */
export function parseModelId(id: string): { provider: string; model: string } | null {
  const m = MODEL_ID.exec(id);
  return m ? { provider: m[1]!, model: m[2]! } : null;
}
