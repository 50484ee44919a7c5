// Row decoding: raw rows of the run store's SELECTs (and RETURNING *) to the engine's records.
import type { SerializedError } from "@/lib/contracts/errors";
import type {
  ApprovalDecision,
  ApprovalRecord,
  Assignees,
  RunEventRecord,
  RunRecord,
  StepRecord,
} from "@/lib/contracts/ports";
import type { WorkflowDocument } from "@/lib/contracts/workflow-document";
import type { Row, SqlBackend } from "../sql-exec";

export interface RowDecoder {
  json(v: unknown): unknown;
  date(v: unknown): Date | null;
  int(v: unknown): number;
  bool(v: unknown): boolean;
  str(v: unknown): string | null;
}

/**
 * Raw rows differ by path: better-sqlite3 (direct) gives JSON as text, dates as ISO text,
 * integers as BigInt and booleans as 0/1; Prisma's raw queries and node-postgres give parsed
 * JSON, Date objects, numbers and booleans.
 */
export function rowDecoder(kind: SqlBackend["kind"]): RowDecoder {
  const textJson = kind === "sqlite-direct";
  return {
    // A JSON column holding a bare number comes back from SQLite as a number, not as text (the
    // column's affinity converts it), and better-sqlite3 gives integers as BigInt: read it as the
    // JSON number it was written as, or a resumed run's expressions would see a BigInt.
    json: (v) =>
      v === null || v === undefined
        ? null
        : textJson && typeof v === "string"
          ? JSON.parse(v)
          : typeof v === "bigint"
            ? Number(v)
            : v,
    date: (v) => {
      if (v === null || v === undefined) return null;
      if (v instanceof Date) return v;
      const d = new Date(typeof v === "bigint" ? Number(v) : (v as string | number));
      return Number.isNaN(d.getTime()) ? null : d;
    },
    int: (v) => (v === null || v === undefined ? 0 : Number(v)),
    bool: (v) => v === true || v === 1 || v === 1n || v === "1" || v === "true",
    str: (v) => (v === null || v === undefined ? null : String(v)),
  };
}

/** A run row joined with its workflow version's "document" (loadRun). */
export function runRecordOf(d: RowDecoder, r: Row): RunRecord {
  return {
    id: String(r.id),
    workspaceId: String(r.workspaceId),
    workflowId: String(r.workflowId),
    workflowVersionId: String(r.workflowVersionId),
    document: d.json(r.document) as WorkflowDocument,
    status: String(r.status) as RunRecord["status"],
    trigger: String(r.trigger),
    input: d.json(r.input),
    output: d.json(r.output),
    error: d.json(r.error) as SerializedError | null,
    state: d.json(r.state),
    startedById: d.str(r.startedById),
    parentRunId: d.str(r.parentRunId),
    retryOfRunId: d.str(r.retryOfRunId),
    createdAt: d.date(r.createdAt)!,
    startedAt: d.date(r.startedAt),
    endedAt: d.date(r.endedAt),
    deadlineAt: d.date(r.deadlineAt),
    usage: { inputTokens: d.int(r.inputTokens), outputTokens: d.int(r.outputTokens), costUsd: Number(r.costUsd) },
    stepCount: d.int(r.stepCount),
    waitingOnPerson: d.bool(r.waitingOnPerson),
    leaseOwner: d.str(r.leaseOwner),
    leaseUntil: d.date(r.leaseUntil),
    fence: d.int(r.fence),
    lastSeq: d.int(r.lastSeq),
  };
}

export function stepRecordOf(d: RowDecoder, r: Row): StepRecord {
  return {
    id: String(r.id),
    runId: String(r.runId),
    workspaceId: String(r.workspaceId),
    nodeId: String(r.nodeId),
    nodeType: String(r.nodeType),
    visit: d.int(r.visit),
    attempt: d.int(r.attempt),
    status: String(r.status) as StepRecord["status"],
    idempotencyKey: String(r.idempotencyKey),
    input: d.json(r.input),
    output: d.json(r.output),
    error: d.json(r.error) as SerializedError | null,
    model: d.str(r.model),
    simulated: d.bool(r.simulated),
    usage: { inputTokens: d.int(r.inputTokens), outputTokens: d.int(r.outputTokens), costUsd: Number(r.costUsd) },
    startedAt: d.date(r.startedAt)!,
    endedAt: d.date(r.endedAt),
    durationMs: r.durationMs === null || r.durationMs === undefined ? null : d.int(r.durationMs),
  };
}

export function eventRecordOf(d: RowDecoder, r: Row): RunEventRecord {
  return {
    runId: String(r.runId),
    seq: d.int(r.seq),
    type: String(r.type) as RunEventRecord["type"],
    data: (d.json(r.data) ?? {}) as Record<string, unknown>,
    createdAt: d.date(r.createdAt)!,
  };
}

export function approvalRecordOf(d: RowDecoder, r: Row): ApprovalRecord {
  const strings = (v: unknown) => {
    const list = d.json(v);
    return Array.isArray(list) ? list.map(String) : [];
  };
  return {
    id: String(r.id),
    workspaceId: String(r.workspaceId),
    runId: String(r.runId),
    nodeId: String(r.nodeId),
    visit: d.int(r.visit),
    seq: r.seq === undefined || r.seq === null ? 0 : d.int(r.seq),
    kind: String(r.kind) as ApprovalRecord["kind"],
    title: String(r.title),
    details: String(r.details ?? ""),
    payload: d.json(r.payload),
    allowEdit: d.bool(r.allowEdit),
    editSchema: d.json(r.editSchema) as Record<string, unknown> | null,
    assignees: { roles: strings(r.assigneeRoles), users: strings(r.assigneeUserIds) },
    escalateTo: d.json(r.escalateTo) as Assignees[] | null,
    escalationLevel: d.int(r.escalationLevel),
    status: String(r.status) as ApprovalRecord["status"],
    decidedById: d.str(r.decidedById),
    decidedAt: d.date(r.decidedAt),
    decision: d.json(r.decision) as ApprovalDecision | null,
    deadlineAt: d.date(r.deadlineAt),
    onTimeout: String(r.onTimeout) as ApprovalRecord["onTimeout"],
    createdAt: d.date(r.createdAt)!,
  };
}
