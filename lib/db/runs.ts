// Small run lookups for authorization and the run use cases (the run page's and the API's
// queries are in runs-queries.ts; the engine's reads and writes go through the run store).
import { type DbOrTx, prismaOf } from "./tx";

/** The workspace a run belongs to (what authorization needs), or null. */
export async function runWorkspace(db: DbOrTx, runId: string): Promise<{ workspaceId: string } | null> {
  return prismaOf(db).run.findUnique({ where: { id: runId }, select: { workspaceId: true } });
}

/** A run of this workspace: its id, status and workflow; null when there is none. */
export async function findRun(
  db: DbOrTx,
  workspaceId: string,
  runId: string,
): Promise<{ id: string; status: string; workflowId: string } | null> {
  return prismaOf(db).run.findFirst({
    where: { id: runId, workspaceId },
    select: { id: true, status: true, workflowId: true },
  });
}

/** Run.lastSeq of these runs (the notifier's cross-process fallback). */
export async function lastSeqOf(db: DbOrTx, runIds: string[]): Promise<Map<string, number>> {
  const rows = await prismaOf(db).run.findMany({
    where: { id: { in: runIds } },
    select: { id: true, lastSeq: true },
  });
  return new Map(rows.map((r) => [r.id, r.lastSeq]));
}

/** Runs of this host whose lease is still live (recovery checks whether their executor died). */
export async function liveLeasesOnHost(
  db: DbOrTx,
  host: string,
  now: Date,
  limit = 500,
): Promise<{ id: string; leaseOwner: string | null; fence: number }[]> {
  return prismaOf(db).run.findMany({
    where: {
      status: { in: ["running", "queued"] },
      leaseOwner: { contains: `:${host}:` },
      leaseUntil: { gte: now },
    },
    select: { id: true, leaseOwner: true, fence: true },
    take: limit,
  });
}

/** Expires one lease at once, only if nobody took it over since it was read. */
export async function expireLease(
  db: DbOrTx,
  lease: { id: string; leaseOwner: string | null; fence: number },
  now: Date,
): Promise<boolean> {
  const { count } = await prismaOf(db).run.updateMany({
    where: { id: lease.id, leaseOwner: lease.leaseOwner, fence: lease.fence },
    data: { leaseUntil: new Date(now.getTime() - 1) },
  });
  return count === 1;
}

/** How many runs of this version have this status (benchmarks wait on it). */
export async function countRunsOfVersion(db: DbOrTx, workflowVersionId: string, status: string): Promise<number> {
  return prismaOf(db).run.count({ where: { workflowVersionId, status } });
}

/** Queued and running runs of a workspace (the per-workspace cap on starting runs). */
export async function countActiveRuns(db: DbOrTx, workspaceId: string): Promise<number> {
  return prismaOf(db).run.count({ where: { workspaceId, status: { in: ["queued", "running"] } } });
}
