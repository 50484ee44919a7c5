// Column lists of the tables the run store writes, in the order the row builders (rows.ts) emit
// values, and the PostgreSQL types the one-statement commit (commit.ts) casts its VALUES to.

export const STEP_COLUMNS = [
  "id",
  "runId",
  "workspaceId",
  "nodeId",
  "nodeType",
  "visit",
  "attempt",
  "status",
  "idempotencyKey",
  "input",
  "output",
  "error",
  "model",
  "simulated",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "startedAt",
  "endedAt",
  "durationMs",
] as const;
const STEP_KEY = new Set(["id", "runId", "nodeId", "visit", "attempt"]);
export const STEP_UPSERT = ` ON CONFLICT ("runId", "nodeId", "visit", "attempt") DO UPDATE SET ${STEP_COLUMNS.filter(
  (c) => !STEP_KEY.has(c),
)
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(", ")}`;
/** PostgreSQL types of the columns, for casts where a value's type cannot be inferred. */
export const STEP_PG_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "text",
  "int",
  "int",
  "text",
  "text",
  "jsonb",
  "jsonb",
  "jsonb",
  "text",
  "boolean",
  "int",
  "int",
  "float8",
  "timestamp(3)",
  "timestamp(3)",
  "int",
];

export const EVENT_COLUMNS = ["runId", "seq", "type", "data", "createdAt"] as const;

export const APPROVAL_COLUMNS = [
  "id",
  "workspaceId",
  "runId",
  "nodeId",
  "visit",
  "kind",
  "title",
  "details",
  "payload",
  "allowEdit",
  "editSchema",
  "assigneeRoles",
  "assigneeUserIds",
  "escalateTo",
  "escalationLevel",
  "status",
  "deadlineAt",
  "onTimeout",
  "createdAt",
  "seq",
] as const;
export const APPROVAL_PG_TYPES = [
  "text",
  "text",
  "text",
  "text",
  "int",
  "text",
  "text",
  "text",
  "jsonb",
  "boolean",
  "jsonb",
  "jsonb",
  "jsonb",
  "jsonb",
  "int",
  "text",
  "timestamp(3)",
  "text",
  "timestamp(3)",
  "int",
];

export const RUN_COLUMNS = [
  "id",
  "workspaceId",
  "workflowId",
  "workflowVersionId",
  "status",
  "trigger",
  "input",
  "state",
  "startedById",
  "parentRunId",
  "retryOfRunId",
  "createdAt",
  "startedAt",
  "deadlineAt",
  "leaseOwner",
  "leaseUntil",
  "fence",
  "lastSeq",
  "output",
  "error",
  "inputTokens",
  "outputTokens",
  "costUsd",
  "stepCount",
  "endedAt",
  "durationMs",
  "waitingOnPerson",
] as const;

/** A quoted SQL identifier. */
export function q(column: string): string {
  return `"${column}"`;
}
