// The notification outbox (OutboxMessage): messages are written first and delivered by a worker,
// so nothing is lost when the process stops; delivery retries with backoff. A message is claimed
// by a conditional update (attempts must still be what the claimer read), which moves its
// nextAttemptAt forward by a lease: two workers never send it at the same time, and a worker
// that dies mid-send leaves it to be retried when the lease passes (at-least-once).
import { type DbOrTx, prismaOf } from "./tx";
import { isUniqueViolation } from "./workflows-store";

export type OutboxChannel = "webhook" | "email" | "inapp";

export type OutboxRow = {
  id: string;
  workspaceId: string;
  channel: string;
  payload: unknown;
  status: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
};

/** Adds a message. With an explicit id the call is idempotent: a second enqueue returns false. */
export async function enqueueOutbox(
  db: DbOrTx,
  input: {
    id?: string;
    workspaceId: string;
    channel: OutboxChannel;
    payload: unknown;
    status?: "pending" | "sent";
    at?: Date;
  },
): Promise<boolean> {
  try {
    await prismaOf(db).outboxMessage.create({
      data: {
        ...(input.id ? { id: input.id } : {}),
        workspaceId: input.workspaceId,
        channel: input.channel,
        payload: input.payload as object,
        status: input.status ?? "pending",
        ...(input.at ? { nextAttemptAt: input.at, createdAt: input.at } : {}),
        ...(input.status === "sent" ? { sentAt: input.at ?? new Date() } : {}),
      },
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function existingOutboxIds(db: DbOrTx, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await prismaOf(db).outboxMessage.findMany({ where: { id: { in: ids } }, select: { id: true } });
  return new Set(rows.map((r) => r.id));
}

/** Claims up to `limit` due messages (pending, nextAttemptAt <= now) for `leaseMs`. */
export async function claimDueOutbox(
  db: DbOrTx,
  now: Date,
  options: { leaseMs: number; limit: number; channels?: OutboxChannel[] },
): Promise<OutboxRow[]> {
  const due = await prismaOf(db).outboxMessage.findMany({
    where: {
      status: "pending",
      nextAttemptAt: { lte: now },
      ...(options.channels ? { channel: { in: options.channels } } : {}),
    },
    orderBy: { nextAttemptAt: "asc" },
    take: options.limit,
  });
  const claimed: OutboxRow[] = [];
  for (const row of due) {
    const leaseUntil = new Date(now.getTime() + options.leaseMs);
    const result = await prismaOf(db).outboxMessage.updateMany({
      where: { id: row.id, status: "pending", attempts: row.attempts },
      data: { attempts: row.attempts + 1, nextAttemptAt: leaseUntil },
    });
    if (result.count === 1) claimed.push({ ...row, attempts: row.attempts + 1, nextAttemptAt: leaseUntil });
  }
  return claimed;
}

export async function markOutboxSent(db: DbOrTx, row: Pick<OutboxRow, "id" | "attempts">, now: Date) {
  await prismaOf(db).outboxMessage.updateMany({
    where: { id: row.id, attempts: row.attempts, status: "pending" },
    data: { status: "sent", sentAt: now, lastError: null },
  });
}

/** Records a failed attempt: retry at `retryAt`, or give up (status failed) when it is null. */
export async function markOutboxFailed(
  db: DbOrTx,
  row: Pick<OutboxRow, "id" | "attempts">,
  error: string,
  retryAt: Date | null,
) {
  await prismaOf(db).outboxMessage.updateMany({
    where: { id: row.id, attempts: row.attempts, status: "pending" },
    data: retryAt
      ? { nextAttemptAt: retryAt, lastError: error.slice(0, 1000) }
      : { status: "failed", lastError: error.slice(0, 1000) },
  });
}

/** Recent in-app notifications of a workspace (the inbox shows those addressed to the viewer). */
export async function listInAppNotifications(db: DbOrTx, workspaceId: string, limit = 50) {
  return prismaOf(db).outboxMessage.findMany({
    where: { workspaceId, channel: "inapp" },
    orderBy: { createdAt: "desc" },
    take: limit,
  });
}

/** Pending approvals with what the notifier needs (assignees, deadline, reminder state). */
export async function pendingApprovalsForNotify(db: DbOrTx, limit = 1000, approvalId?: string) {
  return prismaOf(db).approval.findMany({
    where: { status: "pending", ...(approvalId ? { id: approvalId } : {}) },
    select: {
      id: true,
      workspaceId: true,
      runId: true,
      title: true,
      details: true,
      kind: true,
      assigneeRoles: true,
      assigneeUserIds: true,
      escalationLevel: true,
      deadlineAt: true,
      createdAt: true,
      reminderSentAt: true,
      run: { select: { workflow: { select: { name: true } } } },
      workspace: { select: { settings: true } },
    },
    orderBy: { createdAt: "asc" },
    take: limit,
  });
}

/** Records when the (latest) reminder went out, for display. */
export async function markReminderSent(db: DbOrTx, approvalId: string, now: Date): Promise<void> {
  await prismaOf(db).approval.updateMany({
    where: { id: approvalId, status: "pending" },
    data: { reminderSentAt: now },
  });
}

/** Members who receive an approval's notifications: its users plus members holding its roles. */
export async function approvalRecipients(
  db: DbOrTx,
  workspaceId: string,
  assignees: { roles: string[]; userIds: string[] },
) {
  const members = await prismaOf(db).membership.findMany({
    where: {
      workspaceId,
      role: { not: "viewer" },
      OR: [{ userId: { in: assignees.userIds } }, { role: { in: assignees.roles } }],
    },
    select: { user: { select: { id: true, email: true, name: true } } },
  });
  return members.map((m) => m.user);
}
