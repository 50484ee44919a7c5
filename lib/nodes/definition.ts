/**
 * The shape of a node type definition. Browser-safe: zod only (the canvas imports definitions).
 * One folder per node type: lib/nodes/<type>/definition.ts (this shape), executor.ts, tests,
 * and (owned by the canvas) canvas.tsx.
 */
import type { z } from "zod";

export type NodeCategory = "trigger" | "ai" | "human" | "logic" | "data" | "integration" | "flow" | "annotation";

/** A string inside a node's config that is a JSONata expression or a `{{ }}` template. */
export interface ConfigExpression {
  /** Path inside the config, e.g. `cases[0].when`. */
  path: string;
  /** `expression`: raw JSONata. `template`: a value whose strings may hold `{{ }}` parts. */
  kind: "expression" | "template";
  value: unknown;
}

export interface NodeDefinition<Type extends string = string, Config = unknown> {
  type: Type;
  /** Human label, e.g. "Approval". */
  label: string;
  /** One line for the palette. */
  description: string;
  /** Lucide icon name. */
  icon: string;
  category: NodeCategory;
  /** Longer help (Markdown) for the inspector and docs/workflow-format.md. */
  docs: string;
  /** Version of the config shape; bump with a named migration when it changes incompatibly. */
  configVersion: number;
  migrations: {
    name: string;
    from: number;
    to: number;
    up: (config: Record<string, unknown>) => Record<string, unknown>;
  }[];
  configSchema: z.ZodType<Config>;
  /** A config a new node starts with (valid against configSchema). */
  defaults: Config;
  /** Outcomes (edge `sourceHandle`s) the node can take, given its config. Empty: no outgoing edges allowed. */
  outcomes: (config: Config) => string[];
  /** The outcome an edge without `sourceHandle` follows. null: the node has no outgoing edges. */
  primaryOutcome: (config: Config) => string | null;
  /** An outcome taken when the step fails (`error`), if the type has one. */
  errorOutcome?: string;
  /** Can this node decide not to follow some of its outgoing edges? (A loop needs one to be escapable.) */
  canBranch: (config: Config) => boolean;
  /** Expressions and templates inside the config (for validation and upstream checks). */
  expressions: (config: Config) => ConfigExpression[];
  /** JSON Schemas inside the config (checked to compile). */
  jsonSchemas?: (config: Config) => { path: string; schema: unknown }[];
  /** Default for `atMostOnce` (nodes with side effects that must never repeat). */
  atMostOnce: boolean;
  /** Has effects outside the run (HTTP, tools, child runs, approvals): upstream results are made durable before it starts. */
  sideEffects: boolean;
  /** Default attempts when the node has no `retry` (agents 3, others 1). */
  defaultMaxAttempts: number;
  /** The engine skips it entirely (note). */
  inert?: boolean;
  /** The entry point (trigger). */
  entry?: boolean;
  /** Can make the run wait (approval, guardrail escalate, subworkflow). */
  canWait?: boolean;
}

/** Helper that keeps literal `type` and config inference. */
export function defineNode<const Type extends string, Config>(
  def: NodeDefinition<Type, Config>,
): NodeDefinition<Type, Config> {
  return def;
}

export const HANDLE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
