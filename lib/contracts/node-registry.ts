/**
 * The node registry the engine and the validator are given. The engine imports no node type:
 * `createEngine({ nodes })` receives a registry, and workflow validation takes the definitions.
 * The built-in ones are `builtinNodes` (lib/nodes/builtin.ts, with the executors) and
 * `builtinNodeDefinitions` (lib/nodes/builtin-definitions.ts, browser-safe).
 */
import type { Executor } from "./node";
import type { NodeDefinition } from "./node-definition";

/** Node definitions by type. Browser-safe: what validation and the canvas read. */
export interface NodeDefinitions {
  /** Every type, in palette order. */
  readonly definitions: readonly NodeDefinition[];
  definition(type: string): NodeDefinition | undefined;
}

/** What the engine runs: each type's definition and its executor. */
export interface NodeRegistry extends NodeDefinitions {
  executor(type: string): Executor | undefined;
}

// biome-ignore lint/suspicious/noExplicitAny: each definition is typed by its own config; callers read it as unknown.
type AnyDefinition = NodeDefinition<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: each executor is typed by its own config; the engine passes the parsed config.
type AnyExecutor = Executor<any>;

/** Definitions by type over a list. Throws on a repeated type. */
export function createNodeDefinitions(definitions: readonly AnyDefinition[]): NodeDefinitions {
  const byType = new Map<string, NodeDefinition>();
  for (const d of definitions) {
    if (byType.has(d.type)) throw new Error(`Node type "${d.type}" is defined twice.`);
    byType.set(d.type, d as NodeDefinition);
  }
  const list = [...byType.values()];
  return { definitions: list, definition: (type) => byType.get(type) };
}

/** A registry over definitions and their executors. Throws when a definition has no executor. */
export function createNodeRegistry(
  definitions: readonly AnyDefinition[],
  executors: Readonly<Record<string, AnyExecutor>>,
): NodeRegistry {
  const known = createNodeDefinitions(definitions);
  const byType = new Map<string, Executor>();
  for (const d of known.definitions) {
    const executor = Object.hasOwn(executors, d.type) ? executors[d.type] : undefined;
    if (!executor) throw new Error(`Node type "${d.type}" has no executor.`);
    byType.set(d.type, executor as Executor);
  }
  return { ...known, executor: (type) => byType.get(type) };
}
