/**
 * The ModelGateway over the AI SDK: `<provider>:<model>` → the admin's provider config → an AI SDK
 * provider in a registry → generateText/streamText with the SDK's retries off (`maxRetries: 0`:
 * the engine's retry policy is the only one), the caller's signal plus our timeout, an optional
 * tool loop (step limit = `maxTurns`, each executed call traced), structured output validated
 * against the output schema, `routing: choose` as a structured answer naming the next agent, and
 * usage over all steps priced by the PriceTable. Errors leave as the engine's typed errors
 * (./errors.ts).
 */
import { generateText, type ModelMessage, Output, stepCountIs, streamText } from "ai";
import { CancelledError, NonRetryableError, TimeoutError } from "@/lib/contracts/errors";
import {
  type ChatMessage,
  costOf,
  type HandoffOption,
  type ModelGateway,
  type ModelRequest,
  type ModelResult,
  type PriceTable,
  type ToolCallRecord,
} from "@/lib/contracts/ports";
import { type ProviderConfig, parseModelId } from "./config";
import { createEgressFetch, type FetchFunction } from "./egress-fetch";
import { ToolLoopLimitError, toEngineError, UnknownProviderError } from "./errors";
import { createProviderPriceTable } from "./prices";
import { createSdkProvider, type ProviderFactory, resolveLanguageModel } from "./registry";
import { isStrictCompatible, schemaFor } from "./schema";
import { buildTools } from "./tools";

export interface ProviderGatewayOptions {
  providers: ProviderConfig[];
  /** Reveals a vault credential at call time (for configs with `credential`). */
  revealSecret?: (name: string) => Promise<string | null>;
  /** The fetch a provider's calls go through (the egress policy). Default: the egress guard. */
  fetchFor?: (config: ProviderConfig) => FetchFunction;
  /** Admin switch: every provider may use private addresses (default false; per provider: `allowPrivateNetwork`). */
  allowPrivateNetwork?: boolean;
  /** Prices for `usage.costUsd`. Default: defaults by provider kind, then the engine's table. */
  prices?: PriceTable;
  /** Default limit for one generate() (the whole tool loop). Default 300 000 ms. */
  timeoutMs?: number;
  /** Send `Idempotency-Key: <request key>:<call>` on each HTTP request (ModelRequest.requestKey). Default true. */
  sendIdempotencyKey?: boolean;
  /** Builds the AI SDK provider of a config (tests pass `ai/test` mocks). */
  providerFactory?: ProviderFactory;
  /** The clock's now, for Retry-After given as an HTTP date. */
  now?: () => Date;
}

export interface ProviderGateway extends ModelGateway {
  /** The configured provider names. */
  readonly providerNames: string[];
}

const DEFAULT_TIMEOUT_MS = 300_000;
const DEFAULT_MAX_TURNS = 5;

/** ChatMessages → the SDK's messages; system messages join the system prompt (Anthropic wants it first). */
export function toModelMessages(
  instructions: string | undefined,
  messages: ChatMessage[],
): { system: string | undefined; messages: ModelMessage[] } {
  const system: string[] = instructions?.trim() ? [instructions] : [];
  const out: ModelMessage[] = [];
  for (const m of messages) {
    if (m.role === "system") system.push(m.content);
    else if (m.role === "assistant") out.push({ role: "assistant", content: m.content });
    else if (m.role === "tool")
      out.push({ role: "user", content: `Tool result${m.name ? ` from ${m.name}` : ""}:\n${m.content}` });
    else out.push({ role: "user", content: m.content });
  }
  if (out.length === 0) out.push({ role: "user", content: "(no input)" });
  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: out };
}

/** `routing: choose`: the answer, the chosen next agent (by name) and why, in one structured answer. */
export function handoffSchema(handoffs: HandoffOption[], outputSchema?: Record<string, unknown>) {
  return {
    type: "object",
    properties: {
      answer: outputSchema ?? { type: "string" },
      next: { type: "string", enum: handoffs.map((h) => h.name) },
      reason: { type: "string" },
    },
    required: ["answer", "next", "reason"],
    additionalProperties: false,
  };
}

export function handoffInstructions(handoffs: HandoffOption[]): string {
  return [
    "When you have your answer, choose who handles this next. The options are:",
    ...handoffs.map((h) => `- "${h.name}"${h.description ? `: ${h.description}` : ""}`),
    'Reply with "answer" (your answer), "next" (the exact name of one option) and "reason" (one sentence: why).',
  ].join("\n");
}

function pickHandoff(handoffs: HandoffOption[], next: string): HandoffOption | undefined {
  const wanted = next.trim().toLowerCase();
  return handoffs.find((h) => h.name.toLowerCase() === wanted) ?? handoffs.find((h) => h.id.toLowerCase() === wanted);
}

/** Tool calls of all steps, in order, with what our wrappers recorded (result, error, duration). */
function traceOf(
  steps: {
    content: readonly { type: string; toolCallId?: string; toolName?: string; input?: unknown; error?: unknown }[];
  }[],
  names: Map<string, string>,
  recorded: ToolCallRecord[],
): ToolCallRecord[] {
  const byId = new Map(recorded.map((r) => [r.id, r]));
  const out: ToolCallRecord[] = [];
  for (const step of steps) {
    const errors = new Map<string, unknown>();
    for (const part of step.content)
      if (part.type === "tool-error" && part.toolCallId) errors.set(part.toolCallId, part.error);
    for (const part of step.content) {
      if (part.type !== "tool-call") continue;
      const wire = part.toolName ?? "";
      const record = byId.get(part.toolCallId) ?? {
        id: part.toolCallId,
        name: names.get(wire) ?? wire,
        arguments: part.input,
      };
      const err = errors.get(part.toolCallId ?? "");
      if (err !== undefined && record.error === undefined)
        record.error = (err instanceof Error ? err.message : String(err)).slice(0, 1000);
      out.push(record);
    }
  }
  return out;
}

export function createProviderGateway(options: ProviderGatewayOptions): ProviderGateway {
  const byName = new Map(options.providers.map((p) => [p.name, p]));
  const names = [...byName.keys()];
  const prices = options.prices ?? createProviderPriceTable({ providers: options.providers });
  const factory = options.providerFactory ?? createSdkProvider;
  const fetches = new Map<string, FetchFunction>();
  const fetchOf = (config: ProviderConfig): FetchFunction => {
    let f = fetches.get(config.name);
    if (!f) {
      f =
        options.fetchFor?.(config) ??
        createEgressFetch({ allowPrivateNetwork: options.allowPrivateNetwork || config.allowPrivateNetwork });
      fetches.set(config.name, f);
    }
    return f;
  };

  async function apiKeyOf(config: ProviderConfig): Promise<string | undefined> {
    if (config.apiKey) return config.apiKey;
    if (config.credential) {
      const value = options.revealSecret ? await options.revealSecret(config.credential) : null;
      if (!value)
        throw new NonRetryableError(
          `The credential "${config.credential}" of the model provider "${config.name}" does not exist.`,
        );
      return value;
    }
    if (config.kind !== "openai-compatible")
      throw new NonRetryableError(`The model provider "${config.name}" has no API key.`);
    return undefined;
  }

  async function generate(req: ModelRequest): Promise<ModelResult> {
    const id = parseModelId(req.model);
    if (!id) throw new NonRetryableError(`"${req.model}" is not a model id: use "simulated" or "<provider>:<model>".`);
    const config = byName.get(id.provider);
    if (!config) throw new UnknownProviderError(id.provider, names);
    if (req.signal.aborted)
      throw req.signal.reason instanceof Error
        ? req.signal.reason
        : new CancelledError(undefined, { cause: req.signal.reason });

    const timeoutMs = req.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = new AbortController();
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      timer.abort(new TimeoutError(`The model ${req.model} did not answer within ${timeoutMs} ms.`, { timeoutMs }));
    }, timeoutMs);
    const signal = AbortSignal.any([req.signal, timer.signal]);
    const mapError = (e: unknown) =>
      toEngineError(e, {
        provider: id.provider,
        model: id.model,
        signal: req.signal,
        timedOutAfterMs: timedOut ? timeoutMs : undefined,
        now: options.now,
      });

    try {
      const apiKey = await apiKeyOf(config);
      if (signal.aborted) throw signal.reason;
      const base = fetchOf(config);
      let call = 0;
      // A crash re-run repeats the interrupted call's key; a retry after an error gets a new one.
      const requestKey = req.requestKey ?? `${req.idempotencyKey}:${req.attempt}`;
      const fetch: FetchFunction =
        options.sendIdempotencyKey === false
          ? base
          : (input, init = {}) => {
              const headers = new Headers(init.headers);
              headers.set("idempotency-key", `${requestKey}:${++call}`);
              return base(input, { ...init, headers });
            };
      const model = resolveLanguageModel(config, id.model, { apiKey, fetch }, factory);

      const handoffs = req.handoffs && req.handoffs.length > 0 ? req.handoffs : undefined;
      const conv = toModelMessages(req.instructions, req.messages);
      const system = handoffs ? [conv.system, handoffInstructions(handoffs)].filter(Boolean).join("\n\n") : conv.system;
      const wanted = handoffs ? handoffSchema(handoffs, req.outputSchema) : req.outputSchema;
      const output = wanted
        ? Output.object({ schema: schemaFor(wanted, handoffs ? "handoff answer" : "outputSchema") })
        : undefined;
      const built = buildTools(req.tools ?? [], { signal, onDelta: req.onDelta });
      const hasTools = (req.tools ?? []).length > 0;
      const maxTurns = req.maxTurns ?? DEFAULT_MAX_TURNS;
      const strict = wanted ? isStrictCompatible(wanted) : undefined;
      const common = {
        model,
        system,
        messages: conv.messages,
        tools: hasTools ? built.tools : undefined,
        stopWhen: stepCountIs(maxTurns),
        maxRetries: 0,
        temperature: req.temperature,
        maxOutputTokens: req.maxOutputTokens,
        abortSignal: signal,
        output,
        providerOptions:
          strict === undefined
            ? undefined
            : { openai: { strictJsonSchema: strict }, openaiCompatible: { strictJsonSchema: strict } },
      };

      let text: string;
      let object: unknown;
      let usage: { inputTokens?: number; outputTokens?: number };
      let finishReason: ModelResult["finishReason"];
      let steps: Parameters<typeof traceOf>[0];
      if (req.onDelta) {
        const onDelta = req.onDelta;
        const result = streamText({ ...common, onError: () => {} });
        let failure: unknown;
        for await (const part of result.fullStream) {
          if (part.type === "text-delta") onDelta({ type: "text", text: part.text });
          else if (part.type === "error") failure ??= part.error;
        }
        if (failure !== undefined) throw failure;
        if (signal.aborted) throw signal.reason;
        [text, usage, finishReason, steps] = await Promise.all([
          result.text,
          result.totalUsage,
          result.finishReason,
          result.steps,
        ]);
        if (output) object = await result.output;
      } else {
        const result = await generateText(common);
        text = result.text;
        usage = result.totalUsage;
        finishReason = result.finishReason;
        steps = result.steps;
        if (output) object = result.output;
      }

      if (hasTools && built.allExecutable && finishReason === "tool-calls" && steps.length >= maxTurns)
        throw new ToolLoopLimitError(maxTurns);

      const out: ModelResult = {
        usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 },
        finishReason,
        steps: steps.length,
      };
      out.usage.costUsd = costOf(prices.price(req.model), out.usage.inputTokens, out.usage.outputTokens);
      if (handoffs) {
        const answer = object as { answer: unknown; next: string; reason: string };
        const pick = pickHandoff(handoffs, answer.next);
        if (!pick)
          throw new NonRetryableError(`The model chose "${answer.next}", which is not one of the next agents.`);
        out.route = { target: pick.id, reason: answer.reason };
        if (req.outputSchema) out.object = answer.answer;
        else out.text = typeof answer.answer === "string" ? answer.answer : JSON.stringify(answer.answer);
      } else if (output) out.object = object;
      else out.text = text;
      if (hasTools) out.toolCalls = traceOf(steps, built.names, built.trace);
      return out;
    } catch (e) {
      throw mapError(e);
    } finally {
      clearTimeout(timeout);
    }
  }

  return { generate, providerNames: names };
}
