// The webhook test URL's listening windows (WebhookTestListener): one row per workflow, `until`
// its expiry, `requests` what the test URL received since the editor began listening (newest
// first, at most MAX_KEPT). Rows in the shared database, so the editor may poll one web server
// while the test request reaches another. Recording is a compare-and-set on `seq`, retried, so
// two requests recorded at once on two servers are both kept.
import { type DbOrTx, prismaOf } from "./tx";

export const MAX_KEPT_TEST_REQUESTS = 10;

export interface WebhookTestWindow<R> {
  workspaceId: string;
  until: Date;
  requests: R[];
}

/** Starts (or restarts, forgetting earlier requests) the workflow's listening window. */
export async function openWebhookTestWindow(
  db: DbOrTx,
  input: { workflowId: string; workspaceId: string; until: Date },
): Promise<void> {
  await prismaOf(db).webhookTestListener.upsert({
    where: { workflowId: input.workflowId },
    create: { workflowId: input.workflowId, workspaceId: input.workspaceId, until: input.until, requests: [] },
    update: { workspaceId: input.workspaceId, until: input.until, requests: [], seq: { increment: 1 } },
  });
}

/** The workflow's window (expired or not), or null when nobody ever listened. */
export async function findWebhookTestWindow<R>(db: DbOrTx, workflowId: string): Promise<WebhookTestWindow<R> | null> {
  const row = await prismaOf(db).webhookTestListener.findUnique({
    where: { workflowId },
    select: { workspaceId: true, until: true, requests: true },
  });
  if (!row) return null;
  return {
    workspaceId: row.workspaceId,
    until: row.until,
    requests: Array.isArray(row.requests) ? (row.requests as R[]) : [],
  };
}

/**
 * Adds a request to an open window (newest first, the oldest dropped past MAX_KEPT). False when
 * the workflow has no window open at `now`.
 */
export async function recordWebhookTestRequest<R>(
  db: DbOrTx,
  workflowId: string,
  request: R,
  now: Date,
): Promise<boolean> {
  const p = prismaOf(db);
  for (let attempt = 0; attempt < 20; attempt++) {
    const row = await p.webhookTestListener.findUnique({
      where: { workflowId },
      select: { until: true, requests: true, seq: true },
    });
    if (!row || row.until.getTime() <= now.getTime()) return false;
    const kept = Array.isArray(row.requests) ? row.requests : [];
    const requests = [request, ...kept].slice(0, MAX_KEPT_TEST_REQUESTS);
    const { count } = await p.webhookTestListener.updateMany({
      where: { workflowId, seq: row.seq },
      data: { requests: requests as never, seq: row.seq + 1 },
    });
    if (count === 1) return true;
  }
  throw new Error("The webhook test request could not be recorded (too many at once); send it again.");
}

/** Deletes windows that expired before `before` (maintenance); returns how many. */
export async function pruneWebhookTestWindows(db: DbOrTx, before: Date): Promise<number> {
  const { count } = await prismaOf(db).webhookTestListener.deleteMany({ where: { until: { lt: before } } });
  return count;
}
