/**
 * The simulated model: built-in, offline and deterministic, so the demo, the tests and the
 * benchmarks run with no network and no key. It reads the agent's (rendered) `simulate` config:
 * output, route (+ reason), latencyMs, usage, failTimes + failWith (+ retryAfterMs). Without
 * `simulate` it answers deterministically from its prompt. Results are marked `simulated`.
 */
import { NonRetryableError, RateLimitError, RetryableError, TimeoutError } from "@/lib/contracts/errors";
import type {
  ChatMessage,
  Clock,
  ModelGateway,
  ModelRequest,
  ModelResult,
  ToolCallRecord,
} from "@/lib/contracts/ports";

interface Simulate {
  output?: unknown;
  route?: string;
  reason?: string;
  latencyMs?: number;
  usage?: { inputTokens?: number; outputTokens?: number };
  failTimes?: number;
  failWith?: "rate_limit" | "server_error" | "timeout" | "invalid_output";
  retryAfterMs?: number;
  toolCalls?: { tool: string; arguments?: unknown }[];
}

const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** A value that matches a JSON Schema, built from the schema alone (deterministic). */
export function exampleFromSchema(schema: unknown, depth = 0): unknown {
  if (!schema || typeof schema !== "object" || depth > 20) return null;
  const s = schema as Record<string, unknown>;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return s.enum[0];
  if ("default" in s) return s.default;
  if (Array.isArray(s.examples) && s.examples.length > 0) return s.examples[0];
  for (const key of ["anyOf", "oneOf", "allOf"]) {
    const list = s[key];
    if (Array.isArray(list) && list.length > 0) return exampleFromSchema(list[0], depth + 1);
  }
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case "object": {
      const out: Record<string, unknown> = {};
      const props = (s.properties ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(props)) out[k] = exampleFromSchema(v, depth + 1);
      return out;
    }
    case "array": {
      const min = typeof s.minItems === "number" ? s.minItems : 0;
      return Array.from({ length: Math.min(min, 10) }, () => exampleFromSchema(s.items, depth + 1));
    }
    case "string": {
      const min = typeof s.minLength === "number" ? s.minLength : 0;
      const base =
        s.format === "email"
          ? "simulated@example.com"
          : s.format === "date-time"
            ? "2026-01-01T00:00:00Z"
            : "simulated";
      return base.padEnd(min, "x");
    }
    case "integer":
    case "number":
      return typeof s.minimum === "number" ? s.minimum : 0;
    case "boolean":
      return false;
    case "null":
      return null;
    default:
      return s.properties ? exampleFromSchema({ ...s, type: "object" }, depth + 1) : null;
  }
}

export function createSimulatedModel(clock: Clock): ModelGateway {
  return {
    async generate(req: ModelRequest): Promise<ModelResult> {
      const sim = (req.simulate ?? {}) as Simulate;
      if (sim.latencyMs && sim.latencyMs > 0) await clock.sleep(sim.latencyMs, req.signal);
      if (req.signal.aborted) throw req.signal.reason;
      const promptText = [req.instructions ?? "", ...req.messages.map((m) => m.content)].join("\n");
      const failing = sim.failTimes !== undefined && req.attempt <= sim.failTimes;
      if (failing) {
        switch (sim.failWith ?? "server_error") {
          case "rate_limit":
            throw new RateLimitError("Simulated rate limit (429).", { retryAfterMs: sim.retryAfterMs });
          case "timeout":
            throw new TimeoutError("Simulated model timeout.");
          case "server_error":
            throw new RetryableError("Simulated server error (500).");
          case "invalid_output":
            return {
              text: "<<simulated invalid output>>",
              object: req.outputSchema ? { invalid: "simulated invalid output" } : undefined,
              usage: { inputTokens: estimateTokens(promptText), outputTokens: 8 },
              finishReason: "stop",
              simulated: true,
            };
        }
      }

      // simulate.toolCalls: the tools are called in order through their specs (as a provider's
      // tool loop would, one call per turn), each recorded for the step's trace; a tool's error is
      // recorded and the loop goes on, an abort (cancel) ends it. A tool without `execute` ends
      // the loop there (the call is returned `pending`), and a later request that carries the
      // loop's messages (tool results with ids `sim-<n>`) goes on from the next scripted call.
      const toolCalls: ToolCallRecord[] = [];
      const messages: ChatMessage[] = [];
      const answered = new Set(
        req.messages.filter((m) => m.role === "tool" && m.toolCallId?.startsWith("sim-")).map((m) => m.toolCallId),
      );
      for (const [i, call] of (sim.toolCalls ?? []).entries()) {
        if (answered.has(`sim-${i + 1}`)) continue;
        const spec = req.tools?.find((t) => t.name === call.tool);
        if (!spec)
          throw new NonRetryableError(
            `The simulated tool call "${call.tool}" is not one of the agent's tools: ${(req.tools ?? []).map((t) => t.name).join(", ") || "none"}.`,
          );
        const record: ToolCallRecord = { id: `sim-${i + 1}`, name: spec.name, arguments: call.arguments ?? {} };
        messages.push({
          role: "assistant",
          content: "",
          toolCalls: [{ id: record.id!, name: spec.name, arguments: record.arguments }],
        });
        if (!spec.execute) {
          toolCalls.push({ ...record, pending: true });
          return {
            usage: { inputTokens: sim.usage?.inputTokens ?? estimateTokens(promptText), outputTokens: 8 },
            finishReason: "tool-calls",
            toolCalls,
            messages,
            steps: toolCalls.length,
            simulated: true,
          };
        }
        const started = clock.now().getTime();
        req.onDelta?.({ type: "tool-call", id: record.id!, name: spec.name, arguments: record.arguments });
        try {
          record.result = await spec.execute(record.arguments, { signal: req.signal, toolCallId: record.id! });
        } catch (error) {
          if (req.signal.aborted) throw req.signal.reason ?? error;
          record.error = (error instanceof Error ? error.message : String(error)).slice(0, 1000);
        }
        messages.push({
          role: "tool",
          toolCallId: record.id,
          name: spec.name,
          content:
            record.error !== undefined
              ? record.error
              : typeof record.result === "string"
                ? record.result
                : JSON.stringify(record.result ?? null),
          ...(record.error !== undefined ? { isError: true } : {}),
        });
        record.durationMs = clock.now().getTime() - started;
        req.onDelta?.({
          type: "tool-result",
          id: record.id!,
          name: spec.name,
          ...(record.error !== undefined ? { error: record.error } : { result: record.result }),
          durationMs: record.durationMs,
        });
        toolCalls.push(record);
      }

      let text: string | undefined;
      let object: unknown;
      if (sim.output !== undefined) {
        if (typeof sim.output === "string") {
          if (req.outputSchema) {
            try {
              object = JSON.parse(sim.output);
            } catch {
              text = sim.output;
            }
          } else text = sim.output;
        } else object = sim.output;
      } else if (req.outputSchema) {
        object = exampleFromSchema(req.outputSchema);
      } else {
        const last = [...req.messages].reverse().find((m) => m.role === "user")?.content ?? "";
        text = `Simulated answer to: ${last.replace(/\s+/g, " ").trim().slice(0, 200)}`;
      }

      let route: ModelResult["route"];
      if (req.handoffs && req.handoffs.length > 0) {
        const wanted = sim.route?.trim().toLowerCase();
        const pick = wanted
          ? req.handoffs.find((h) => h.name.toLowerCase() === wanted || h.id.toLowerCase() === wanted)
          : req.handoffs[0];
        if (!pick)
          throw new NonRetryableError(
            `The simulated route "${sim.route}" is not one of the next agents: ${req.handoffs.map((h) => h.name).join(", ")}.`,
          );
        route = { target: pick.id, reason: sim.reason ?? `Simulated handoff to ${pick.name}.` };
      }

      const outText = text ?? JSON.stringify(object);
      return {
        text,
        object,
        usage: {
          inputTokens: sim.usage?.inputTokens ?? estimateTokens(promptText),
          outputTokens: sim.usage?.outputTokens ?? estimateTokens(outText ?? ""),
        },
        finishReason: "stop",
        route,
        ...(toolCalls.length > 0 ? { toolCalls, steps: 2 } : {}),
        ...(req.tools && req.tools.length > 0 ? { messages } : {}),
        simulated: true,
      };
    },
  };
}
