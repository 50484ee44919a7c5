/**
 * Provider configs → AI SDK providers → a provider registry (`createProviderRegistry`, separator
 * `:`). Only ids that parse as `<configured name>:<model>` ever reach the registry, and the model
 * handed to `generateText`/`streamText` is always a LanguageModel object, never a string: a bare
 * string would go to the hosted AI Gateway over the network.
 *
 * Every provider gets an explicit base URL and key, so nothing is read from the environment
 * (OPENAI_BASE_URL, ANTHROPIC_API_KEY… are ignored) and behaviour follows the admin's config only.
 */
import { createAnthropic } from "@ai-sdk/anthropic";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { createProviderRegistry, type ProviderRegistryProvider } from "ai";
import { DEFAULT_BASE_URLS, type ProviderConfig } from "./config";
import type { FetchFunction } from "./egress-fetch";

export interface ProviderSetup {
  apiKey: string | undefined;
  fetch: FetchFunction;
}

/** What the registry takes (the AI SDK's ProviderV3). */
export type SdkProvider = Parameters<typeof createProviderRegistry>[0][string];
/** What it gives back for a language model id. */
export type SdkLanguageModel = ReturnType<ProviderRegistryProvider["languageModel"]>;

export type ProviderFactory = (config: ProviderConfig, setup: ProviderSetup) => SdkProvider;

export function baseUrlOf(config: ProviderConfig): string {
  const url = config.baseUrl ?? (config.kind === "openai-compatible" ? "" : DEFAULT_BASE_URLS[config.kind]);
  return url.replace(/\/+$/, "");
}

/** The AI SDK provider for a config (the real HTTP ones). */
export const createSdkProvider: ProviderFactory = (config, { apiKey, fetch }) => {
  const baseURL = baseUrlOf(config);
  switch (config.kind) {
    case "openai": {
      const p = createOpenAI({ name: config.name, baseURL, apiKey: apiKey ?? "", fetch });
      if (config.api !== "chat") return p;
      return {
        specificationVersion: "v3",
        languageModel: (id: string) => p.chat(id),
        embeddingModel: (id: string) => p.embeddingModel(id),
        imageModel: (id: string) => p.imageModel(id),
      };
    }
    case "anthropic":
      return createAnthropic({ name: config.name, baseURL, apiKey: apiKey ?? "", fetch });
    case "google":
      return createGoogleGenerativeAI({ name: config.name, baseURL, apiKey: apiKey ?? "", fetch });
    case "openai-compatible":
      return createOpenAICompatible({
        name: config.name,
        baseURL,
        apiKey,
        fetch,
        includeUsage: true,
        supportsStructuredOutputs: true,
      });
  }
};

/** Resolves `<name>:<model>` through a registry holding `config`'s provider. */
export function resolveLanguageModel(
  config: ProviderConfig,
  model: string,
  setup: ProviderSetup,
  factory: ProviderFactory = createSdkProvider,
): SdkLanguageModel {
  const registry = createProviderRegistry({ [config.name]: factory(config, setup) }, { separator: ":" });
  return registry.languageModel(`${config.name}:${model}` as `${string}:${string}`);
}
