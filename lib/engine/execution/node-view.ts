/**
 * `nodes.<id>` — what expressions read about a node — as a function of its step rows, and of
 * nothing else. The execution updates it with `nodeView()` each time it writes a row
 * (ExecutionCore.putStep), and a resumed execution rebuilds it by folding the same function
 * over the stored rows (`nodesFromSteps`), so an expression reads the same after a crash, an
 * approval pause or a takeover as it did before: only what was committed.
 *
 * A row that starts or skips a visit keeps the node's last output (a loop body reads its own
 * previous round); a failed attempt that is retried (or re-run after a crash) reads as
 * `running`; every other row sets status and output, including a failed step that follows its
 * error edge, whose row stores `{ error }` as its output.
 */
import type { RunContextData } from "@/lib/contracts/node";
import type { StepRecord } from "@/lib/contracts/ports";
import type { TokenState } from "../state";

export type NodeView = RunContextData["nodes"][string];

/** The node's view after `row` was written; `retried`: the row is a failed attempt that another attempt follows. */
export function nodeView(prev: NodeView | undefined, row: StepRecord, retried: boolean): NodeView {
  if (row.status === "running" || row.status === "skipped") return { output: prev?.output ?? null, status: row.status };
  if (row.status === "failed" && retried) return { output: prev?.output ?? null, status: "running" };
  return { output: row.output ?? null, status: row.status };
}

/** `nodes` rebuilt from a run's stored rows and the tokens of its stored state. */
export function nodesFromSteps(steps: readonly StepRecord[], tokens: readonly TokenState[]): RunContextData["nodes"] {
  const sorted = [...steps].sort((a, b) =>
    a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : a.visit - b.visit || a.attempt - b.attempt,
  );
  const nodes: RunContextData["nodes"] = {};
  for (let i = 0; i < sorted.length; i++) {
    const row = sorted[i]!;
    const next = sorted[i + 1];
    const retried =
      row.status === "failed" &&
      ((next !== undefined && next.nodeId === row.nodeId && next.visit === row.visit) ||
        tokens.some((t) => t.node === row.nodeId && t.visit === row.visit && t.attempt > row.attempt));
    nodes[row.nodeId] = nodeView(nodes[row.nodeId], row, retried);
  }
  return nodes;
}
