/**
 * Tools for the AI SDK's loop. Wire names follow the strictest provider rule (OpenAI and Anthropic
 * `[A-Za-z0-9_-]{1,64}`, Google also wants a letter or `_` first), so `server.tool` names are
 * mapped and a reverse map turns the model's calls back into our names. Each executed call is
 * recorded (name, arguments, result or error, duration) for the step's trace.
 */
import { createHash } from "node:crypto";
import { type Tool, type ToolSet, tool } from "ai";
import type { ModelDelta, ToolCallRecord, ToolSpec } from "@/lib/contracts/ports";
import { schemaFor } from "./schema";

const WIRE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

/** A wire-safe name for `name`, unique among `taken` (which it joins). Deterministic for a given order. */
export function wireToolName(name: string, taken: Set<string>): string {
  let wire = name.replace(/[^A-Za-z0-9_-]/g, "_");
  if (!/^[A-Za-z_]/.test(wire)) wire = `_${wire}`;
  if (wire.length > 64 || taken.has(wire)) {
    const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
    wire = `${wire.slice(0, 55)}_${hash}`;
  }
  for (let i = 2; taken.has(wire); i++) wire = `${wire.slice(0, 60)}_${i}`;
  if (!WIRE_NAME.test(wire)) throw new Error(`internal: tool name "${wire}" is not wire-safe`);
  taken.add(wire);
  return wire;
}

export interface BuiltTools {
  tools: ToolSet;
  /** wire name → our name */
  names: Map<string, string>;
  /** Filled as the loop runs (executed calls), in completion order. */
  trace: ToolCallRecord[];
  /** Every tool has `execute` (so a `tool-calls` finish means the loop hit its limit). */
  allExecutable: boolean;
}

const MAX_TRACE_ERROR = 1000;

export function buildTools(
  specs: ToolSpec[],
  options: { signal: AbortSignal; onDelta?: (d: ModelDelta) => void; now?: () => number },
): BuiltTools {
  const now = options.now ?? (() => performance.now());
  const taken = new Set<string>();
  const names = new Map<string, string>();
  const trace: ToolCallRecord[] = [];
  const tools: ToolSet = {};
  for (const spec of specs) {
    const wire = wireToolName(spec.name, taken);
    names.set(wire, spec.name);
    const inputSchema = schemaFor(spec.inputSchema ?? { type: "object", properties: {} }, `tools.${spec.name}`);
    const run = spec.execute;
    const t: Tool = run
      ? tool({
          description: spec.description,
          inputSchema,
          execute: async (input: unknown, call) => {
            const record: ToolCallRecord = { id: call.toolCallId, name: spec.name, arguments: input };
            options.onDelta?.({ type: "tool-call", id: call.toolCallId, name: spec.name, arguments: input });
            const started = now();
            try {
              record.result = await run(input, {
                signal: call.abortSignal ?? options.signal,
                toolCallId: call.toolCallId,
              });
              return record.result;
            } catch (e) {
              record.error = (e instanceof Error ? e.message : String(e)).slice(0, MAX_TRACE_ERROR);
              throw e;
            } finally {
              record.durationMs = Math.round((now() - started) * 1000) / 1000;
              trace.push(record);
              options.onDelta?.({
                type: "tool-result",
                id: call.toolCallId,
                name: spec.name,
                ...(record.error !== undefined ? { error: record.error } : { result: record.result }),
                durationMs: record.durationMs,
              });
            }
          },
        })
      : tool({ description: spec.description, inputSchema });
    tools[wire] = t;
  }
  return { tools, names, trace, allExecutable: specs.every((s) => s.execute !== undefined) };
}
