// Canvas-side types. The document shape mirrors the workflow format v1 contract
// (/docs/workflow-format.md); the engine's zod schema (lib/contracts/workflow-document.ts) is the authority
// and validates what the canvas produces. The canvas keeps unknown fields so a document
// round-trips unchanged through the editor.
import type { Edge, Node } from "@xyflow/react";

export interface DocPosition {
  x: number;
  y: number;
}

export interface DocNode {
  id: string;
  type: string;
  name?: string;
  position?: DocPosition;
  config: Record<string, unknown>;
  [extra: string]: unknown;
}

export interface DocEdge {
  id?: string;
  source: string;
  target: string;
  sourceHandle?: string;
  label?: string;
  [extra: string]: unknown;
}

export interface WorkflowDoc {
  format: string;
  name: string;
  description?: string;
  input?: unknown;
  limits?: Record<string, unknown>;
  nodes: DocNode[];
  edges: DocEdge[];
  [extra: string]: unknown;
}

/** Everything in the document except nodes and edges. */
export interface DocMeta {
  format: string;
  name: string;
  description?: string;
  input?: unknown;
  limits?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Node data on the canvas: the document node without id, type and position. */
export interface StepData extends Record<string, unknown> {
  name?: string;
  config: Record<string, unknown>;
}

export type CanvasNode = Node<StepData, string>;

export interface EdgeData extends Record<string, unknown> {
  /** the document's label (edge.label on the canvas is the display label) */
  docLabel?: string;
  /** true when the document edge had no id and the canvas made one up */
  generatedId?: boolean;
  /** other document fields kept for round-trip */
  extra?: Record<string, unknown>;
}

export type CanvasEdge = Edge<EdgeData>;

export interface Outcome {
  /** sourceHandle value; null is the normal completion (edge without sourceHandle) */
  handle: string | null;
  label: string;
}

/** What the canvas needs to know about node types (built from lib/nodes definitions). */
export interface NodeCatalog {
  types(): string[];
  has(type: string): boolean;
  label(type: string): string;
  description(type: string): string;
  defaultConfig(type: string): Record<string, unknown>;
  /** outgoing handles of a node of this type with this config */
  outcomes(type: string, config: Record<string, unknown>): Outcome[];
  /** false for trigger (nothing enters it) and note */
  hasInput(type: string): boolean;
  /** the config version new nodes of this type are saved with (`version`, written when above 1) */
  configVersion(type: string): number;
  /**
   * the node brought to its type's current config version by the type's named migrations; the
   * same object when nothing changes (already current, unknown type, or a node validation will
   * report, such as a version newer than this installation knows)
   */
  migrateNode(node: DocNode): DocNode;
}

export interface Problem {
  path: string;
  message: string;
  /** the node the problem is about, when the validator knows it */
  nodeId?: string;
}
