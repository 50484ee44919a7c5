// Idempotency keys of run starts (POST /api/v1/runs, Idempotency-Key header): (workspace, key) →
// the hash of the request and the run it started. The key is claimed BEFORE the run starts (a row
// with runId "" — the unique index lets one request win a race), filled in with the run id after,
// and released again when the start fails. A claimed key without a run id is a request still in
// progress.
import { type DbOrTx, prismaOf } from "./tx";

/** How long a key answers with its run: after this, the same key starts a new run and the row may be pruned. */
export const IDEMPOTENCY_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyRecord {
  requestHash: string;
  createdAt: Date;
  /** the run the first request started; null while that request is still starting it */
  run: { id: string; status: string; workflowId: string; version: number } | null;
}

export async function findIdempotencyKey(
  db: DbOrTx,
  workspaceId: string,
  key: string,
): Promise<IdempotencyRecord | null> {
  const p = prismaOf(db);
  const row = await p.idempotencyKey.findUnique({
    where: { workspaceId_key: { workspaceId, key } },
    select: { requestHash: true, runId: true, createdAt: true },
  });
  if (!row) return null;
  const run = row.runId
    ? await p.run.findFirst({
        where: { id: row.runId, workspaceId },
        select: { id: true, status: true, workflowId: true, workflowVersion: { select: { version: true } } },
      })
    : null;
  return {
    requestHash: row.requestHash,
    createdAt: row.createdAt,
    run: run
      ? { id: run.id, status: run.status, workflowId: run.workflowId, version: run.workflowVersion.version }
      : null,
  };
}

/** Claims the key for this request; throws the unique-index error (isDuplicateIdempotencyKey) when taken. */
export async function claimIdempotencyKey(
  db: DbOrTx,
  input: { workspaceId: string; key: string; requestHash: string },
): Promise<void> {
  await prismaOf(db).idempotencyKey.create({ data: { ...input, runId: "" } });
}

export async function completeIdempotencyKey(
  db: DbOrTx,
  input: { workspaceId: string; key: string; runId: string },
): Promise<void> {
  await prismaOf(db).idempotencyKey.update({
    where: { workspaceId_key: { workspaceId: input.workspaceId, key: input.key } },
    data: { runId: input.runId },
  });
}

export async function releaseIdempotencyKey(db: DbOrTx, input: { workspaceId: string; key: string }): Promise<void> {
  await prismaOf(db).idempotencyKey.deleteMany({
    where: { workspaceId: input.workspaceId, key: input.key, runId: "" },
  });
}

/** Is this error the unique index refusing a second row for (workspace, key)? */
export function isDuplicateIdempotencyKey(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

/** Forgets a key (one older than the retention: the next request with it starts a new run). */
export async function forgetIdempotencyKey(db: DbOrTx, input: { workspaceId: string; key: string }): Promise<void> {
  await prismaOf(db).idempotencyKey.deleteMany({ where: { workspaceId: input.workspaceId, key: input.key } });
}

/** Deletes keys created before `before` (for a maintenance pass); returns how many. */
export async function pruneIdempotencyKeys(db: DbOrTx, before: Date): Promise<number> {
  const { count } = await prismaOf(db).idempotencyKey.deleteMany({ where: { createdAt: { lt: before } } });
  return count;
}
