// The canvas side of every node type: its visual (icon, colour, key facts) from
// lib/nodes/<type>/canvas.tsx, plus a NodeCatalog built from the engine's definitions
// (labels, one-line descriptions, default configs, outcomes, config versions and migrations).
// Record<NodeTypeId, …> makes a missing node type a compile error. Nothing here names a node
// type: what differs between types comes from their definitions (`editor` hooks, `inert`).
import type { NodeVisual } from "@/lib/canvas/node-visual";
import type { NodeCatalog, Outcome } from "@/lib/canvas/types";
import { migrateNode } from "@/lib/contracts/node-migrations";
import { canvas as a2a } from "./a2a/canvas";
import { canvas as agent } from "./agent/canvas";
import { canvas as approval } from "./approval/canvas";
import { canvas as condition } from "./condition/canvas";
import { canvas as end } from "./end/canvas";
import { canvas as guardrail } from "./guardrail/canvas";
import { canvas as http } from "./http/canvas";
import { canvas as note } from "./note/canvas";
import { getNodeDefinition, NODE_TYPE_IDS, type NodeTypeId } from "./registry";
import { canvas as set } from "./set/canvas";
import { canvas as subworkflow } from "./subworkflow/canvas";
import { canvas as tool } from "./tool/canvas";
import { canvas as transform } from "./transform/canvas";
import { canvas as trigger } from "./trigger/canvas";

export const nodeVisuals: Record<NodeTypeId, NodeVisual> = {
  trigger,
  agent,
  approval,
  condition,
  transform,
  set,
  http,
  tool,
  guardrail,
  subworkflow,
  a2a,
  end,
  note,
};

const UNKNOWN_VISUAL: NodeVisual = {
  icon: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z M9 9a3 3 0 1 1 4 2.8c-.6.3-1 .9-1 1.6V14 M12 17h.01",
  colour: "#64748b",
  facts: () => ["Unknown node type"],
};

export function visualFor(type: string | undefined): NodeVisual {
  return (type && nodeVisuals[type as NodeTypeId]) || UNKNOWN_VISUAL;
}

const OUTCOME_LABELS: Record<string, string> = {
  default: "next",
  approved: "approved",
  rejected: "rejected",
  pass: "pass",
  fail: "fail",
  error: "on error",
};

/** Outcomes for a config that may be incomplete (the editor shows drafts): never throws. */
export function outcomesFor(type: string, config: Record<string, unknown>): Outcome[] {
  const def = getNodeDefinition(type);
  if (!def) return [];
  const parsed = def.configSchema.safeParse(config);
  let names: string[] = [];
  let primary: string | null = null;
  const draft = !parsed.success ? def.editor?.draftOutcomes : undefined;
  if (draft) {
    // the type says how to read its own half-written configs
    try {
      ({ outcomes: names, primary } = draft(config));
    } catch {
      // a draft even the hook cannot read: no handles yet
    }
  } else {
    for (const attempt of [parsed.success ? parsed.data : undefined, config]) {
      if (attempt === undefined) continue;
      try {
        names = def.outcomes(attempt);
        primary = def.primaryOutcome(attempt);
        break;
      } catch {
        // an incomplete config: try the raw config, then give up
      }
    }
  }
  names = names.filter((n) => typeof n === "string" && n !== "");
  const ordered = primary && names.includes(primary) ? [primary, ...names.filter((n) => n !== primary)] : names;
  if (def.errorOutcome && !ordered.includes(def.errorOutcome)) ordered.push(def.errorOutcome);
  return ordered.map((name) => ({ handle: name === "default" ? null : name, label: OUTCOME_LABELS[name] ?? name }));
}

export const nodeCatalog: NodeCatalog = {
  types: () => [...NODE_TYPE_IDS],
  has: (type) => !!getNodeDefinition(type),
  label: (type) => getNodeDefinition(type)?.label ?? type,
  description: (type) => getNodeDefinition(type)?.description ?? "",
  defaultConfig: (type) => structuredClone((getNodeDefinition(type)?.defaults ?? {}) as Record<string, unknown>),
  outcomes: outcomesFor,
  hasInput: (type) => {
    const def = getNodeDefinition(type);
    return !!def && !def.entry && !def.inert;
  },
  configVersion: (type) => getNodeDefinition(type)?.configVersion ?? 1,
  migrateNode: (node) => migrateNode(node, getNodeDefinition).node,
};

/** Is this the type every run starts at (the trigger)? */
export function isEntryType(type: string | undefined): boolean {
  return !!getNodeDefinition(type ?? "")?.entry;
}

/** Does a node of this type run (and so has an output, a timeout and retries)? False for notes. Unknown types: true. */
export function runsInEngine(type: string | undefined): boolean {
  return !getNodeDefinition(type ?? "")?.inert;
}

/** Names a node writes into the run's `vars` (its config may be a draft). */
export function varsWrittenBy(type: string | undefined, config: Record<string, unknown>): string[] {
  try {
    return getNodeDefinition(type ?? "")?.editor?.writesVars?.(config) ?? [];
  } catch {
    return []; // a draft the hook cannot read yet
  }
}
