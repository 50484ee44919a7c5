/**
 * Workflow validation against the built-in node types: what the canvas, the CLI and the
 * workflow store call. The rules are in ./validate-document.ts (which the engine uses with the
 * registry it is given).
 */

import { migrateWorkflowDocument } from "@/lib/contracts/node-migrations";
import { builtinNodeDefinitions } from "@/lib/nodes/builtin-definitions";
import { type ValidationResult, validateDocument } from "./validate-document";

/** Validate a workflow document. Never throws on bad input: a malformed document gives issues. */
export function validateWorkflow(doc: unknown): ValidationResult {
  return validateDocument(doc, builtinNodeDefinitions);
}

/**
 * The document with every node brought to its type's current config version (what an import
 * stores); the same object when nothing changes. Nodes that cannot be migrated stay as they are:
 * `validateWorkflow()` reports them.
 */
export function migrateWorkflow<T>(doc: T): T {
  return migrateWorkflowDocument(doc, (type) => builtinNodeDefinitions.definition(type)).document;
}
