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
  /**
   * Version of the config shape (an integer from 1). A document node records it as `version`
   * (absent: 1). Bump it with a named migration when the config changes incompatibly.
   */
  configVersion: number;
  /** One migration per version step, in order: 1→2, 2→3, … up to `configVersion`. */
  migrations: readonly ConfigMigration[];
  configSchema: z.ZodType<Config>;
  /** A config a new node starts with: valid against configSchema, apart from the `mustFill` fields. */
  defaults: Config;
  /**
   * Top-level fields `defaults` leaves empty on purpose because only a person can choose them
   * (an MCP server, a child workflow); the editor's checklist asks for them.
   */
  mustFill?: readonly string[];
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
  /**
   * What later steps take as this step's data when they default to "the previous step's output"
   * (an approval's `data` and an end's `output` when unset). Default: the whole output.
   */
  passOn?: (output: unknown) => unknown;
  /** The engine skips it entirely (note). */
  inert?: boolean;
  /** The entry point (trigger). */
  entry?: boolean;
  /** Can make the run wait (approval, guardrail escalate, subworkflow); its executor implements `resume`. */
  canWait?: boolean;
  /** How the editor treats this type, beyond what the config schema says. */
  editor?: NodeEditorHooks;
}

/**
 * A named step from config version `from` to `to` (= from + 1). `up` is pure: no I/O, no clock,
 * and it must not mutate its argument. It must also pass a config that is already in the newer
 * shape through unchanged: a node without `version` counts as version 1, so a hand-written
 * document in the new shape goes through every migration too.
 */
export interface ConfigMigration {
  /** Names the change, e.g. `a2a-1.0-agent-card-path`; shown in docs and errors. */
  name: string;
  from: number;
  to: number;
  up: (config: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Editor hooks, so the canvas and the inspector need no per-type special cases. Browser-safe like
 * the rest of the definition (no React); they get a draft config that may not parse yet.
 */
export interface NodeEditorHooks {
  /** Outcomes of a draft that does not parse yet, so the canvas still draws its handles. */
  draftOutcomes?: (config: Record<string, unknown>) => { outcomes: string[]; primary: string | null };
  /** Names this node writes into `vars`; later nodes' fields offer them as `vars.<name>`. */
  writesVars?: (config: Record<string, unknown>) => string[];
  /**
   * Outcomes that should lead somewhere: the checklist warns with this message (not blocking
   * publishing) when one has no edge. An approval's `rejected`: without it a rejection fails the run.
   */
  outcomesToConnect?: Readonly<Record<string, string>>;
  /**
   * Top-level fields the inspector edits with a purpose-built control instead of JSON (an "Edit as
   * JSON" switch stays): `duration` (ms, typed as "2 days"), `keyValue` (name → text rows: headers,
   * vars), `cases` (a condition's rows), `checks` (a guardrail's rows), `assignees` (roles and
   * members of the workspace), `escalation` (levels of assignees, each with a deadline).
   */
  fieldEditors?: Readonly<Record<string, FieldEditorKind>>;
  /** Top-level fields that always take an expression or a template, even while empty. */
  expressionFields?: Readonly<Record<string, "expression" | "template">>;
  /** Inspector labels of top-level fields (default: the field's name in words). */
  fieldLabels?: Readonly<Record<string, string>>;
  /** Top-level text fields edited in a multi-line box. */
  multilineFields?: readonly string[];
  /**
   * The top-level fields the inspector shows for this draft config (default: all). A field that
   * holds a value is shown anyway, so nothing set is ever hidden.
   */
  shownFields?: (config: Record<string, unknown>) => readonly string[];
  /**
   * Top-level fields picked from a list the installation provides rather than typed: `models`
   * offers the workspace's model providers and their models (the agent's `model`); `mcp-server`,
   * `mcp-tool` and `mcp-arguments` the workspace's MCP servers, the chosen server's discovered
   * tools and a form generated from the chosen tool's input schema (the tool node); `mcp-tools`
   * a list of `server` + `tool` entries (an agent's `tools`); `credentials` the workspace's vault
   * credentials by name, with how each is sent (the http node's `credential`).
   */
  choiceFields?: Readonly<
    Record<string, "models" | "mcp-server" | "mcp-tool" | "mcp-arguments" | "mcp-tools" | "credentials">
  >;
}

export type FieldEditorKind = "duration" | "keyValue" | "cases" | "checks" | "assignees" | "escalation";

/** Helper that keeps literal `type` and config inference. */
export function defineNode<const Type extends string, Config>(
  def: NodeDefinition<Type, Config>,
): NodeDefinition<Type, Config> {
  return def;
}

export const HANDLE_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
