/**
 * The one list of node type definitions. Browser-safe (definitions import zod only), so the
 * canvas can import it. `NodeTypeId` comes from this list; the executor map
 * (lib/nodes/executors.ts) and the canvas `nodeTypes` map are `Record<NodeTypeId, …>`, so a
 * missing entry is a compile error.
 */
import { a2aDefinition } from "./a2a/definition";
import { agentDefinition } from "./agent/definition";
import { approvalDefinition } from "./approval/definition";
import { conditionDefinition } from "./condition/definition";
import type { NodeDefinition } from "./definition";
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
