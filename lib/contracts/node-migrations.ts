/**
 * The one migration runner for node configs. A document node records the version of its config
 * shape as `version` (absent: 1); its type's definition knows the current `configVersion` and a
 * named migration for each step. This brings a node, or every node of a document, to the current
 * version. It is pure and browser-safe (no I/O, no registry import: the caller passes the node
 * definitions it works with), so import, the editor and the engine's compile all run the same code.
 *
 * A node is left as it is, with a problem naming it, when its version is newer than its
 * definition knows, when a step of the chain is missing, or when a migration throws.
 */
import type { Issue } from "./errors";
import type { NodeDefinition } from "./node-definition";

/** The part of a definition the runner needs. */
export type MigratableDefinition = Pick<NodeDefinition, "type" | "label" | "configVersion" | "migrations">;

/** Finds the definition of a node type (undefined for an unknown type). */
export type DefinitionLookup = (type: string) => MigratableDefinition | undefined;

export type ConfigMigrationResult =
  | { ok: true; config: Record<string, unknown>; version: number; applied: string[] }
  | { ok: false; field: "version" | "config"; message: string };

const isPlainObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** The version a document node records: `version`, or 1 when absent. null when it is not a whole number ≥ 1. */
export function recordedVersion(node: { version?: unknown }): number | null {
  if (node.version === undefined) return 1;
  return typeof node.version === "number" && Number.isInteger(node.version) && node.version >= 1 ? node.version : null;
}

/**
 * Runs the named migrations of `def` on a config recorded at version `from`. Never mutates
 * `config`. `subject` starts the problem sentences (default "This <label> node").
 */
export function migrateConfig(
  def: MigratableDefinition,
  config: Record<string, unknown>,
  from: number,
  subject = `This ${def.label} node`,
): ConfigMigrationResult {
  if (from > def.configVersion) {
    return {
      ok: false,
      field: "version",
      message: `${subject} has config version ${from}, but this version of Switchboard knows ${def.label} configs up to version ${def.configVersion}. Update Switchboard to use it.`,
    };
  }
  let current = config;
  let version = from;
  const applied: string[] = [];
  while (version < def.configVersion) {
    const step = def.migrations.find((m) => m.from === version);
    if (!step || step.to !== version + 1) {
      return {
        ok: false,
        field: "version",
        message: `${subject} has config version ${from}, but there is no migration for ${def.label} configs from version ${version} to ${version + 1}.`,
      };
    }
    let next: unknown;
    try {
      // a clone, so a migration that mutates its argument cannot touch the caller's document
      next = step.up(structuredClone(current));
    } catch (error) {
      return {
        ok: false,
        field: "config",
        message: `${subject} could not be brought to config version ${def.configVersion}: the migration "${step.name}" (version ${step.from} to ${step.to}) failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    if (!isPlainObject(next)) {
      return {
        ok: false,
        field: "config",
        message: `${subject} could not be brought to config version ${def.configVersion}: the migration "${step.name}" (version ${step.from} to ${step.to}) did not return a config object.`,
      };
    }
    current = next;
    version = step.to;
    applied.push(step.name);
  }
  return { ok: true, config: current, version, applied };
}

export interface NodeMigration<N> {
  /** The node at its type's current version: the same object when nothing had to change. */
  node: N;
  /** Names of the migrations applied, in order. */
  applied: string[];
  /** Why the node could not be migrated (it is returned unchanged then). */
  problem?: { field: "version" | "config"; message: string };
}

/**
 * Brings one document node to its type's current config version. Unknown types, a malformed
 * `version` or a config that is not an object are left alone for validation to report.
 */
export function migrateNode<N>(node: N, lookup: DefinitionLookup): NodeMigration<N> {
  if (!isPlainObject(node) || typeof node.type !== "string") return { node, applied: [] };
  const def = lookup(node.type);
  const from = recordedVersion(node);
  if (!def || from === null || from === def.configVersion) return { node, applied: [] };
  const config = node.config === undefined ? {} : node.config;
  if (!isPlainObject(config)) return { node, applied: [] };
  const subject = typeof node.id === "string" ? `The ${def.label} node "${node.id}"` : undefined;
  const result = migrateConfig(def, config, from, subject);
  if (!result.ok) return { node, applied: [], problem: { field: result.field, message: result.message } };
  return { node: { ...node, config: result.config, version: result.version } as N, applied: result.applied };
}

export interface MigrationIssue extends Issue {
  nodeId?: string;
}

export interface DocumentMigration<T> {
  /** The document with every node it could migrate at its current version: the same object when nothing changed. */
  document: T;
  /** Nodes that could not be migrated, at `nodes[i].version` or `nodes[i].config`. */
  issues: MigrationIssue[];
  /** Indexes of the nodes that could not be migrated (validation skips their config checks). */
  failed: Set<number>;
  /** What was applied, per node. */
  migrated: { nodeId: string; from: number; to: number; applied: string[] }[];
}

/** Brings every node of a document (which may be malformed: only what is usable is touched) to its current version. */
export function migrateWorkflowDocument<T>(doc: T, lookup: DefinitionLookup): DocumentMigration<T> {
  const out: DocumentMigration<T> = { document: doc, issues: [], failed: new Set(), migrated: [] };
  if (!isPlainObject(doc) || !Array.isArray(doc.nodes)) return out;
  let nodes: unknown[] | null = null;
  doc.nodes.forEach((node: unknown, index: number) => {
    const result = migrateNode(node, lookup);
    const id = isPlainObject(node) && typeof node.id === "string" ? node.id : undefined;
    if (result.problem) {
      out.failed.add(index);
      out.issues.push({
        path: `nodes[${index}].${result.problem.field}`,
        nodeId: id,
        message: result.problem.message,
      });
    }
    if (result.node !== node) {
      nodes ??= [...(doc.nodes as unknown[])];
      nodes[index] = result.node;
      out.migrated.push({
        nodeId: id ?? `nodes[${index}]`,
        from: recordedVersion(node as { version?: unknown }) ?? 1,
        to: (result.node as { version: number }).version,
        applied: result.applied,
      });
    }
  });
  if (nodes) out.document = { ...doc, nodes } as T;
  return out;
}
