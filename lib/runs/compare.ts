// Compare two runs node by node: for each (node, visit) the last attempt of each run, with
// status, attempts, latency, tokens, cost and whether the outputs are equal. Pure.
import { isDeepStrictEqual } from "node:util";

export interface CompareStep {
  nodeId: string;
  nodeType: string;
  visit: number;
  attempt: number;
  status: string;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** full value, or null with `outputTruncated` when it was too large to load */
  output: unknown;
  outputTruncated?: boolean;
  error: unknown;
}

export interface CompareSide {
  status: string;
  attempts: number;
  durationMs: number | null;
  tokens: number;
  costUsd: number;
  error: unknown;
}

export interface CompareRow {
  nodeId: string;
  nodeType: string;
  visit: number;
  a: CompareSide | null;
  b: CompareSide | null;
  /** true/false when both sides have an output to compare; null otherwise */
  sameOutput: boolean | null;
  /** short verdict for the row */
  change: "same" | "different" | "only in A" | "only in B" | "status changed";
}

function side(attempts: CompareStep[]): CompareSide {
  const last = attempts[attempts.length - 1]!;
  return {
    status: last.status,
    attempts: attempts.length,
    durationMs: last.durationMs,
    tokens: attempts.reduce((n, s) => n + s.inputTokens + s.outputTokens, 0),
    costUsd: attempts.reduce((n, s) => n + s.costUsd, 0),
    error: last.error,
  };
}

function group(steps: CompareStep[]): Map<string, CompareStep[]> {
  const m = new Map<string, CompareStep[]>();
  for (const s of steps) {
    const k = `${s.nodeId}\u0000${s.visit}`;
    const list = m.get(k) ?? [];
    list.push(s);
    m.set(k, list);
  }
  for (const list of m.values()) list.sort((x, y) => x.attempt - y.attempt);
  return m;
}

export function compareSteps(a: CompareStep[], b: CompareStep[]): CompareRow[] {
  const ga = group(a);
  const gb = group(b);
  const keys = [...new Set([...ga.keys(), ...gb.keys()])];
  return keys.map((k) => {
    const sa = ga.get(k);
    const sb = gb.get(k);
    const any = (sa ?? sb)![0]!;
    const lastA = sa?.[sa.length - 1];
    const lastB = sb?.[sb.length - 1];
    const comparable =
      lastA &&
      lastB &&
      !lastA.outputTruncated &&
      !lastB.outputTruncated &&
      (lastA.output != null || lastB.output != null);
    const sameOutput = comparable ? isDeepStrictEqual(lastA.output ?? null, lastB.output ?? null) : null;
    let change: CompareRow["change"];
    if (!sa) change = "only in B";
    else if (!sb) change = "only in A";
    else if (lastA!.status !== lastB!.status) change = "status changed";
    else change = sameOutput === false ? "different" : "same";
    return {
      nodeId: any.nodeId,
      nodeType: any.nodeType,
      visit: any.visit,
      a: sa ? side(sa) : null,
      b: sb ? side(sb) : null,
      sameOutput,
      change,
    };
  });
}
