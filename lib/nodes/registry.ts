/**
 * The one list of node type definitions. Browser-safe (definitions import zod only), so the
 * canvas can import it. `NodeTypeId` comes from this list; the executor map
 * (lib/nodes/executors.ts) and the canvas visuals (lib/nodes/canvas-registry.ts) are
 * `Record<NodeTypeId, …>`, so a missing entry is a compile error.
 *
 * How to add a node type (docs/node-types.md has the long version):
 * 1. Make a folder lib/nodes/<type>/ with
 *    - definition.ts: `defineNode({ … })` — a strict zod config schema, `defaults`, outcomes,
 *      docs, `configVersion: 1, migrations: []`, and `editor` hooks if the editor needs more than
 *      the schema says (labels, multi-line fields, vars it writes, outcomes of drafts);
 *    - executor.ts: `run(ctx)`, and `resume(ctx, wake)` when `canWait` is set;
 *    - canvas.tsx: `defineNodeVisual({ icon, colour, facts })`;
 *    - <type>.test.ts: what it does, run through `runSingle()` (lib/testing/run-single.ts).
 * 2. Add its definition to `nodeDefinitions` below (the list's order is the palette's order).
 *    The type checker then points at the two maps that still lack the type — add its executor in
 *    executors.ts and its visual in canvas-registry.ts (one line each; they are separate lists
 *    because executors are server-only and visuals are canvas-only).
 * 3. `npx vitest run lib/nodes` runs the conformance suite (conformance.test.ts) over the new
 *    type; `npm run schema:write` adds it to docs/workflow.schema.json and docs/workflow-format.md.
 * The validator, the engine's compile, the canvas and the inspector read what differs between
 * types from the definitions, so they need no change.
 *
 * Changing a config incompatibly later: bump `configVersion` and append a named, pure migration
 * (`{ name, from, to, up }`) to `migrations`. Import, the editor and the engine's compile run it on
 * older documents (lib/contracts/node-migrations.ts); see the a2a type for a real one.
 */

import type { NodeDefinition } from "@/lib/contracts/node-definition";
import { a2aDefinition } from "./a2a/definition";
import { agentDefinition } from "./agent/definition";
import { approvalDefinition } from "./approval/definition";
import { conditionDefinition } from "./condition/definition";
import { endDefinition } from "./end/definition";
import { guardrailDefinition } from "./guardrail/definition";
import { httpDefinition } from "./http/definition";
import { noteDefinition } from "./note/definition";
import { setDefinition } from "./set/definition";
import { subworkflowDefinition } from "./subworkflow/definition";
import { toolDefinition } from "./tool/definition";
import { transformDefinition } from "./transform/definition";
import { triggerDefinition } from "./trigger/definition";

export const nodeDefinitions = [
  triggerDefinition,
  agentDefinition,
  approvalDefinition,
  conditionDefinition,
  transformDefinition,
  setDefinition,
  httpDefinition,
  toolDefinition,
  guardrailDefinition,
  subworkflowDefinition,
  a2aDefinition,
  endDefinition,
  noteDefinition,
] as const;

export type NodeTypeId = (typeof nodeDefinitions)[number]["type"];

/** Config type of each node type, by id. */
export type NodeConfigOf<T extends NodeTypeId> = Extract<(typeof nodeDefinitions)[number], { type: T }>["defaults"];

export const NODE_TYPE_IDS: readonly NodeTypeId[] = nodeDefinitions.map((d) => d.type);

const byType = new Map<string, NodeDefinition<NodeTypeId, unknown>>(
  nodeDefinitions.map((d) => [d.type, d as unknown as NodeDefinition<NodeTypeId, unknown>]),
);

export function isNodeTypeId(type: string): type is NodeTypeId {
  return byType.has(type);
}

/** The definition of a node type, or undefined for an unknown type. */
export function getNodeDefinition(type: string): NodeDefinition<NodeTypeId, unknown> | undefined {
  return byType.get(type);
}
