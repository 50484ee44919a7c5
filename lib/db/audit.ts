// The audit trail: append-only entries saying who did what to which object, when, with a
// one-line summary. Write them inside the same transaction as the change they describe
// (pass the transaction client), so a change and its audit entry commit or fail together.
import type { Actor } from "../auth/policy";
import type { Prisma, PrismaClient } from "./generated/sqlite/client";

export type DbClient = PrismaClient | Prisma.TransactionClient;

/** A person/key (Actor) or a system label such as "system", "cli", "scheduler". */
export type AuditActor = Actor | { label: string; userId?: string | null };

export type AuditInput = {
  workspaceId: string | null;
  actor: AuditActor;
  /** dotted verb, e.g. auth.signin, workflow.saved, workflow.published, run.started, approval.decided, member.role_changed */
  action: string;
  targetType: string;
  targetId?: string | null;
  summary: string;
  data?: unknown;
};

export type AuditEntryView = {
  id: string;
  workspaceId: string | null;
  actorId: string | null;
  actorLabel: string;
  action: string;
  targetType: string;
  targetId: string | null;
  summary: string;
  data: unknown;
  createdAt: Date;
};

function actorFields(actor: AuditActor): { actorId: string | null; actorLabel: string } {
  if ("label" in actor) return { actorId: actor.userId ?? null, actorLabel: actor.label };
  const label = actor.via === "apiKey" ? actor.name : actor.email || actor.name;
  return { actorId: actor.userId, actorLabel: label };
}

const MAX_SUMMARY = 500;

export async function recordAudit(db: DbClient, entry: AuditInput): Promise<AuditEntryView> {
  const row = await db.auditEntry.create({
    data: {
      workspaceId: entry.workspaceId,
      ...actorFields(entry.actor),
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      summary: entry.summary.length > MAX_SUMMARY ? `${entry.summary.slice(0, MAX_SUMMARY - 1)}…` : entry.summary,
      ...(entry.data === undefined ? {} : { data: entry.data as Prisma.InputJsonValue }),
    },
  });
  return row as AuditEntryView;
}

export type AuditFilter = {
  workspaceId: string;
  action?: string;
  /** exact actor user id */
  actorId?: string;
  /** part of the actor label (email / key name / system), case-sensitive on SQLite */
  actorLabel?: string;
  targetType?: string;
  targetId?: string;
  /** inclusive lower bound */
  from?: Date;
  /** exclusive upper bound */
  to?: Date;
  /** opaque cursor from a previous page's nextCursor */
  cursor?: string | null;
  /** page size, 1..200 (default 50) */
  limit?: number;
};

export type AuditPage = { entries: AuditEntryView[]; nextCursor: string | null };

export function encodeAuditCursor(entry: { createdAt: Date; id: string }): string {
  return Buffer.from(`${entry.createdAt.toISOString()}|${entry.id}`, "utf8").toString("base64url");
}

export function decodeAuditCursor(cursor: string): { createdAt: Date; id: string } | null {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const [iso, id] = text.split("|");
  const createdAt = new Date(iso ?? "");
  if (!id || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id };
}

/** Newest first, keyset-paginated on (createdAt, id) so pages stay stable while entries are added. */
export async function listAudit(db: DbClient, filter: AuditFilter): Promise<AuditPage> {
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
  const and: Prisma.AuditEntryWhereInput[] = [{ workspaceId: filter.workspaceId }];
  if (filter.action) and.push({ action: filter.action });
  if (filter.actorId) and.push({ actorId: filter.actorId });
  if (filter.actorLabel) and.push({ actorLabel: { contains: filter.actorLabel } });
  if (filter.targetType) and.push({ targetType: filter.targetType });
  if (filter.targetId) and.push({ targetId: filter.targetId });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lt: filter.to } });
  const cursor = filter.cursor ? decodeAuditCursor(filter.cursor) : null;
  if (cursor) {
    and.push({
      OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
    });
  }
  const rows = await db.auditEntry.findMany({
    where: { AND: and },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const entries = rows.slice(0, limit) as AuditEntryView[];
  const last = entries[entries.length - 1];
  return { entries, nextCursor: rows.length > limit && last ? encodeAuditCursor(last) : null };
}

/** Distinct actions and actors seen in a workspace, for the filter drop-downs. */
export async function auditFacets(
  db: DbClient,
  workspaceId: string,
): Promise<{ actions: string[]; actors: { actorId: string | null; actorLabel: string }[] }> {
  const [actions, actors] = await Promise.all([
    db.auditEntry.findMany({
      where: { workspaceId },
      distinct: ["action"],
      select: { action: true },
      orderBy: { action: "asc" },
    }),
    db.auditEntry.findMany({
      where: { workspaceId },
      distinct: ["actorLabel"],
      select: { actorId: true, actorLabel: true },
      orderBy: { actorLabel: "asc" },
    }),
  ]);
  return { actions: actions.map((a) => a.action), actors };
}
