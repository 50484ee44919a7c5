/**
 * The ModelGateway over the AI SDK: `<provider>:<model>` → the admin's provider config → an AI SDK
 * provider in a registry → generateText/streamText with the SDK's retries off (`maxRetries: 0`:
 * the engine's retry policy is the only one), the caller's signal plus our timeout, an optional
 * tool loop (step limit = `maxTurns`, each executed call traced), structured output validated
 * against the output schema, `routing: choose` as a structured answer naming the next agent, and
 * usage over all steps priced by the PriceTable. Errors leave as the engine's typed errors
 * (./errors.ts). A call without tools goes to the provider model directly
 * (./plain-text-call.ts), and its 2xx answer is read by Switchboard's decoders (./wire).
 */
import {
  generateText,
  InvalidArgumentError,
  type LanguageModelUsage,
  type ModelMessage,
  NoOutputGeneratedError,
  Output,
  stepCountIs,
  streamText,
} from "ai";
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
  withModelUsage,
} from "@/lib/contracts/ports";
import { type ProviderConfig, parseModelId } from "./config";
import { createEgressFetch, type FetchFunction, TAKE_ANSWER, type TakeAnswer } from "./egress-fetch";
import { refusedByProvider, reportedUsageOf, ToolLoopLimitError, toEngineError, UnknownProviderError } from "./errors";
import { callPlainText } from "./plain-text-call";
import { createProviderPriceTable } from "./prices";
import { createSdkProvider, type ProviderFactory, resolveLanguageModel, type SdkLanguageModel } from "./registry";
import { isStrictCompatible, schemaFor } from "./schema";
import { buildTools } from "./tools";
import { AnswerTaken, wireFormatOf } from "./wire";

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
/** The per-call header naming a call to the shared fetch (removed before the request leaves). */
const CALL_HEADER = "x-switchboard-call";
/** Language models kept per provider before the cache starts over. */
const MAX_CACHED_MODELS = 64;

/**
 * ChatMessages → the SDK's messages; system messages join the system prompt (Anthropic wants it
 * first). A tool loop's own messages (assistant turns with `toolCalls`, tool results with
 * `toolCallId`) become tool-call and tool-result parts, named on the wire by `wireOf`.
 */
export function toModelMessages(
  instructions: string | undefined,
  messages: ChatMessage[],
  wireOf: (name: string) => string = (name) => name,
): { system: string | undefined; messages: ModelMessage[] } {
  const system: string[] = instructions?.trim() ? [instructions] : [];
  const out: ModelMessage[] = [];
  for (const m of messages) {
    if (m.role === "system") system.push(m.content);
    else if (m.role === "assistant" && m.toolCalls && m.toolCalls.length > 0)
      out.push({
        role: "assistant",
        content: [
          ...(m.content ? [{ type: "text" as const, text: m.content }] : []),
          ...m.toolCalls.map((c) => ({
            type: "tool-call" as const,
            toolCallId: c.id,
            toolName: wireOf(c.name),
            input: c.arguments ?? {},
          })),
        ],
      });
    else if (m.role === "assistant") out.push({ role: "assistant", content: m.content });
    else if (m.role === "tool" && m.toolCallId)
      out.push({
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: m.toolCallId,
            toolName: wireOf(m.name ?? ""),
            output: { type: m.isError ? "error-text" : "text", value: m.content },
          },
        ],
      });
    else if (m.role === "tool")
      out.push({ role: "user", content: `Tool result${m.name ? ` from ${m.name}` : ""}:\n${m.content}` });
    else out.push({ role: "user", content: m.content });
  }
  if (out.length === 0) out.push({ role: "user", content: "(no input)" });
  return { system: system.length > 0 ? system.join("\n\n") : undefined, messages: out };
}

type CallOptions = Parameters<SdkLanguageModel["doGenerate"]>[0];
type ProviderUsage = Awaited<ReturnType<SdkLanguageModel["doGenerate"]>>["usage"];

/** The provider's usage as the SDK reports it (the SDK's `asLanguageModelUsage`). */
function usageOf(u: ProviderUsage | undefined): LanguageModelUsage {
  const input = u?.inputTokens;
  const output = u?.outputTokens;
  return {
    inputTokens: input?.total,
    inputTokenDetails: {
      noCacheTokens: input?.noCache,
      cacheReadTokens: input?.cacheRead,
      cacheWriteTokens: input?.cacheWrite,
    },
    outputTokens: output?.total,
    outputTokenDetails: { textTokens: output?.text, reasoningTokens: output?.reasoning },
    totalTokens:
      input?.total === undefined && output?.total === undefined
        ? undefined
        : (input?.total ?? 0) + (output?.total ?? 0),
    raw: u?.raw,
  };
}

/**
 * A call without tools whose messages are plain text goes straight to the provider model
 * (`doGenerate`/`doStream`, the SDK's LanguageModelV3 interface) with a prompt built here in the
 * SDK's standardized form — what generateText/streamText would hand it — skipping their per-call
 * work: validating the prompt we built against the SDK's message schema, the step and telemetry
 * machinery, and for streams the chain of web streams behind `fullStream` and `onFinish`.
 * Anything else (tools, a tool loop's messages) goes through generateText/streamText.
 */
function isPlainTextCall(req: ModelRequest): boolean {
  if ((req.tools ?? []).length > 0) return false;
  // (a content that is not a string goes to the SDK, whose prompt validation refuses it)
  for (const m of req.messages)
    if ((m.toolCalls?.length ?? 0) > 0 || (m.role === "tool" && m.toolCallId) || typeof m.content !== "string")
      return false;
  if (req.instructions !== undefined && typeof req.instructions !== "string") return false;
  return true;
}

/** The SDK's prompt (LanguageModelV3Prompt) of text-only ModelMessages (`convertToLanguageModelPrompt`). */
function promptOf(system: string | undefined, messages: ModelMessage[]): CallOptions["prompt"] {
  const prompt: CallOptions["prompt"] = system !== undefined ? [{ role: "system", content: system }] : [];
  for (const m of messages)
    if (m.role === "user" && typeof m.content === "string")
      prompt.push({ role: "user", content: [{ type: "text", text: m.content }] });
    else if (m.role === "assistant" && typeof m.content === "string")
      prompt.push({ role: "assistant", content: [{ type: "text", text: m.content }] });
    else throw new Error(`promptOf: a ${m.role} message that is not plain text`);
  return prompt;
}

/** The SDK's checks of the call settings we pass (`prepareCallSettings`). */
function checkSettings(maxOutputTokens: number | undefined, temperature: number | undefined): void {
  if (maxOutputTokens != null && (!Number.isInteger(maxOutputTokens) || maxOutputTokens < 1))
    throw new InvalidArgumentError({
      parameter: "maxOutputTokens",
      value: maxOutputTokens,
      message: Number.isInteger(maxOutputTokens)
        ? "maxOutputTokens must be >= 1"
        : "maxOutputTokens must be an integer",
    });
  if (temperature != null && typeof temperature !== "number")
    throw new InvalidArgumentError({
      parameter: "temperature",
      value: temperature,
      message: "temperature must be a number",
    });
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

/** The loop's response messages as ChatMessages (our tool names), to continue it later. */
function loopMessages(response: readonly ModelMessage[], names: Map<string, string>): ChatMessage[] {
  const ours = (wire: string) => names.get(wire) ?? wire;
  const out: ChatMessage[] = [];
  for (const m of response) {
    if (m.role === "assistant") {
      if (typeof m.content === "string") {
        out.push({ role: "assistant", content: m.content });
        continue;
      }
      const text = m.content
        .filter((p) => p.type === "text")
        .map((p) => (p as { text: string }).text)
        .join("");
      const toolCalls = m.content
        .filter((p) => p.type === "tool-call")
        .map((p) => {
          const c = p as { toolCallId: string; toolName: string; input: unknown };
          return { id: c.toolCallId, name: ours(c.toolName), arguments: c.input };
        });
      out.push({ role: "assistant", content: text, ...(toolCalls.length > 0 ? { toolCalls } : {}) });
    } else if (m.role === "tool") {
      for (const p of m.content) {
        if (p.type !== "tool-result") continue;
        const o = p.output as { type: string; value?: unknown };
        const value = typeof o.value === "string" ? o.value : JSON.stringify(o.value ?? null);
        out.push({
          role: "tool",
          toolCallId: p.toolCallId,
          name: ours(p.toolName),
          content: value,
          ...(o.type.startsWith("error") ? { isError: true } : {}),
        });
      }
    }
  }
  return out;
}

/** Tool calls of all steps, in order, with what our wrappers recorded (result, error, duration). */
function traceOf(
  steps: {
    content: readonly { type: string; toolCallId?: string; toolName?: string; input?: unknown; error?: unknown }[];
  }[],
  names: Map<string, string>,
  recorded: ToolCallRecord[],
  deferred: ReadonlySet<string> = new Set(),
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
      if (!byId.has(part.toolCallId) && err === undefined && deferred.has(record.name)) record.pending = true;
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
  // Each call's idempotency key travels as a per-call header naming the call (`CALL_HEADER`); the
  // provider's fetch (built once, shared by every call) swaps it for `Idempotency-Key:
  // <request key>:<n>`, n counting that call's HTTP requests (the tool loop makes several).
  const calls = new Map<string, { requestKey: string; n: number; take?: boolean }>();
  let callSeq = 0;
  const fetches = new Map<string, FetchFunction>();
  const fetchOf = (config: ProviderConfig): FetchFunction => {
    let f = fetches.get(config.name);
    if (!f) {
      const base =
        options.fetchFor?.(config) ??
        createEgressFetch({ allowPrivateNetwork: options.allowPrivateNetwork || config.allowPrivateNetwork });
      f = (input, init = {}) => {
        const given = init.headers;
        // The SDK's providers pass a plain object of lower-case names: copied, not re-parsed.
        const plain = given !== undefined && !(given instanceof Headers) && !Array.isArray(given);
        const headers: Headers | Record<string, string> = plain
          ? { ...(given as Record<string, string>) }
          : new Headers(given);
        const token = plain ? (headers as Record<string, string>)[CALL_HEADER] : (headers as Headers).get(CALL_HEADER);
        if (plain) delete (headers as Record<string, string>)[CALL_HEADER];
        else (headers as Headers).delete(CALL_HEADER);
        const call = calls.get(token ?? "");
        if (call) {
          call.n += 1;
          if (options.sendIdempotencyKey !== false) {
            const key = `${call.requestKey}:${call.n}`;
            if (plain) (headers as Record<string, string>)["idempotency-key"] = key;
            else (headers as Headers).set("idempotency-key", key);
          }
        }
        // A plain-text call's 2xx answer is read by ./wire, not by the SDK (see ./wire/index.ts).
        if (call?.take) return base(input, { ...init, headers, [TAKE_ANSWER]: takeAnswer } as RequestInit);
        return base(input, { ...init, headers });
      };
      fetches.set(config.name, f);
    }
    return f;
  };
  const takeAnswer: TakeAnswer = (taken) => new AnswerTaken(taken);
  // Only the SDK's own HTTP providers answer in the wire format of their kind (a test's factory may not).
  const readsWire = factory === createSdkProvider;
  // The AI SDK provider and its language models are built once per provider and key (building
  // one compiles the provider's response schemas: most of a call's CPU before this cache). The
  // gateway itself is rebuilt when the workspace's provider configuration changes, and a
  // different key (a replaced credential) builds a new provider here.
  const sdk = new Map<string, { apiKey: string | undefined; models: Map<string, SdkLanguageModel> }>();
  const modelOf = (config: ProviderConfig, model: string, apiKey: string | undefined): SdkLanguageModel => {
    let entry = sdk.get(config.name);
    if (!entry || entry.apiKey !== apiKey) {
      entry = { apiKey, models: new Map() };
      sdk.set(config.name, entry);
    }
    let found = entry.models.get(model);
    if (!found) {
      found = resolveLanguageModel(config, model, { apiKey, fetch: fetchOf(config) }, factory);
      if (entry.models.size >= MAX_CACHED_MODELS) entry.models.clear();
      entry.models.set(model, found);
    }
    return found;
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
    // One signal for the call: the caller's abort (its reason) or our timeout, whichever is first
    // (a listener instead of AbortSignal.any, which costs more per call).
    const timer = new AbortController();
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      timer.abort(new TimeoutError(`The model ${req.model} did not answer within ${timeoutMs} ms.`, { timeoutMs }));
    }, timeoutMs);
    const onCallerAbort = () => timer.abort(req.signal.reason);
    req.signal.addEventListener("abort", onCallerAbort, { once: true });
    const signal = timer.signal;
    const mapError = (e: unknown) =>
      toEngineError(e, {
        provider: id.provider,
        model: id.model,
        signal: req.signal,
        timedOutAfterMs: timedOut ? timeoutMs : undefined,
        now: options.now,
      });

    let callToken = "";
    let known: { inputTokens?: number; outputTokens?: number } | undefined;
    try {
      const apiKey = await apiKeyOf(config);
      if (signal.aborted) throw signal.reason;
      // A crash re-run repeats the interrupted call's key; a retry after an error gets a new one.
      const requestKey = req.requestKey ?? `${req.idempotencyKey}:${req.attempt}`;
      callToken = String(++callSeq);
      const call = { requestKey, n: 0, take: false };
      calls.set(callToken, call);
      const model = modelOf(config, id.model, apiKey);

      const handoffs = req.handoffs && req.handoffs.length > 0 ? req.handoffs : undefined;
      const built = buildTools(req.tools ?? [], { signal, onDelta: req.onDelta });
      const wireNames = new Map([...built.names].map(([wire, ours]) => [ours, wire]));
      const conv = toModelMessages(req.instructions, req.messages, (name) => wireNames.get(name) ?? name);
      const system = handoffs ? [conv.system, handoffInstructions(handoffs)].filter(Boolean).join("\n\n") : conv.system;
      const wanted = handoffs ? handoffSchema(handoffs, req.outputSchema) : req.outputSchema;
      const output = wanted
        ? Output.object({ schema: schemaFor(wanted, handoffs ? "handoff answer" : "outputSchema") })
        : undefined;
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
        headers: { [CALL_HEADER]: callToken },
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
      let responseMessages: readonly ModelMessage[] = [];
      let readObject: () => Promise<unknown> = async () => undefined;
      if (isPlainTextCall(req) && model.specificationVersion === "v3") {
        checkSettings(req.maxOutputTokens, req.temperature);
        const callOptions: CallOptions = {
          prompt: promptOf(system, conv.messages),
          maxOutputTokens: req.maxOutputTokens,
          temperature: req.temperature,
          responseFormat: output ? await output.responseFormat : undefined,
          providerOptions: common.providerOptions,
          abortSignal: signal,
          headers: common.headers,
        };
        // The SDK encodes the request; a 2xx answer is read by ./wire when the fetch hands it over.
        const wire = readsWire ? wireFormatOf(config, { structuredOutput: output !== undefined }) : undefined;
        call.take = wire !== undefined;
        const plain = await callPlainText(model, callOptions, { onDelta: req.onDelta, wire, signal });
        ({ text, finishReason } = plain);
        const { response, usage: reported } = plain;
        const sdkUsage = usageOf(reported);
        usage = sdkUsage;
        steps = [{ content: [] }];
        const answer = text;
        const context = {
          response: {
            id: response?.id ?? "",
            timestamp: response?.timestamp ?? new Date(),
            modelId: response?.modelId ?? model.modelId,
          },
          usage: sdkUsage,
          finishReason,
        };
        // Like generateText, a non-streamed answer is parsed only when the model stopped, or
        // stopped otherwise with text; streamText always parses.
        const parses = req.onDelta || finishReason === "stop" || (finishReason !== "tool-calls" && answer.length > 0);
        readObject = async () => {
          if (!output || !parses) throw new NoOutputGeneratedError();
          return await output.parseCompleteOutput({ text: answer }, context);
        };
      } else if (req.onDelta) {
        const onDelta = req.onDelta;
        // The totals come from onFinish: each of the result's getters (text, totalUsage,
        // finishReason, steps) tees and re-reads the whole stream once more.
        const end: {
          event?: {
            text: string;
            totalUsage: typeof usage;
            finishReason: typeof finishReason;
            steps: typeof steps;
            response: { messages: readonly ModelMessage[] };
          };
        } = {};
        const result = streamText({
          ...common,
          onError: () => {},
          onFinish: (event) => {
            end.event = event;
          },
        });
        let failure: unknown;
        for await (const part of result.fullStream) {
          if (part.type === "text-delta") onDelta({ type: "text", text: part.text });
          else if (part.type === "error") failure ??= part.error;
        }
        if (failure !== undefined) throw failure;
        if (signal.aborted) throw signal.reason;
        if (end.event) {
          ({ text, totalUsage: usage, finishReason, steps } = end.event);
          responseMessages = end.event.response.messages;
        } else {
          let response: { messages: readonly ModelMessage[] };
          [text, usage, finishReason, steps, response] = await Promise.all([
            result.text,
            result.totalUsage,
            result.finishReason,
            result.steps,
            result.response,
          ]);
          responseMessages = response.messages;
        }
        known = usage;
        readObject = async () => await result.output;
      } else {
        const result = await generateText(common);
        text = result.text;
        usage = result.totalUsage;
        finishReason = result.finishReason;
        steps = result.steps;
        responseMessages = result.response.messages;
        readObject = async () => result.output;
      }

      known = usage;
      // Tools without `execute` (deferred: the caller makes those calls) end the loop on purpose.
      const deferred = new Set((req.tools ?? []).filter((t) => !t.execute).map((t) => t.name));
      const toolCalls = hasTools ? traceOf(steps, built.names, built.trace, deferred) : [];
      const waits = toolCalls.some((c) => c.pending);
      if (hasTools && !waits && finishReason === "tool-calls" && steps.length >= maxTurns)
        throw new ToolLoopLimitError(maxTurns);
      // A deferred call ends the loop before any answer: no structured output to read yet.
      if (output && !waits) object = await readObject();

      const out: ModelResult = {
        usage: { inputTokens: usage.inputTokens ?? 0, outputTokens: usage.outputTokens ?? 0 },
        finishReason,
        steps: steps.length,
      };
      out.usage.costUsd = costOf(prices.price(req.model), out.usage.inputTokens, out.usage.outputTokens);
      if (waits) out.text = text;
      else if (handoffs) {
        const answer = object as { answer: unknown; next: string; reason: string };
        const pick = pickHandoff(handoffs, answer.next);
        if (!pick)
          throw new NonRetryableError(`The model chose "${answer.next}", which is not one of the next agents.`);
        out.route = { target: pick.id, reason: answer.reason };
        if (req.outputSchema) out.object = answer.answer;
        else out.text = typeof answer.answer === "string" ? answer.answer : JSON.stringify(answer.answer);
      } else if (output) out.object = object;
      else out.text = text;
      if (hasTools) {
        out.toolCalls = toolCalls;
        out.messages = loopMessages(responseMessages, built.names);
      }
      return out;
    } catch (e) {
      const mapped = mapError(e);
      // What the failed call used, for budgets (contracts: withModelUsage): reported or known
      // usage at its price; nothing when no request left or the provider refused it (4xx);
      // unknown otherwise (a cut stream, a 5xx, a timeout: the engine charges the input estimate).
      const used = known ?? reportedUsageOf(e);
      if (used) {
        const inputTokens = used.inputTokens ?? 0;
        const outputTokens = used.outputTokens ?? 0;
        withModelUsage(mapped, {
          inputTokens,
          outputTokens,
          costUsd: costOf(prices.price(req.model), inputTokens, outputTokens),
        });
      } else if (!req.signal.aborted && ((calls.get(callToken)?.n ?? 0) === 0 || refusedByProvider(e)))
        withModelUsage(mapped, { inputTokens: 0, outputTokens: 0, costUsd: 0 });
      throw mapped;
    } finally {
      clearTimeout(timeout);
      req.signal.removeEventListener("abort", onCallerAbort);
      calls.delete(callToken);
    }
  }

  return { generate, providerNames: names };
}
