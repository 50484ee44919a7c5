// The audit trail: append-only entries saying who did what to which object, when, with a
// one-line summary. Write them inside the same transaction as the change they describe
// (pass the transaction handle), so a change and its audit entry commit or fail together.
//
// Tamper evidence: each workspace's entries form a hash chain. An entry stores its position
// (`seq`: 1, 2, …), the previous entry's hash (`prevHash`; 64 zeros for the first) and `hash` =
// SHA-256 over a canonical serialisation of prevHash and its own content. Editing, deleting,
// inserting or reordering an entry breaks the chain from there on, and `switchboard audit verify`
// names the first broken link. The head of each chain (AuditChain: last seq and hash) is updated
// first by every append, which serialises appends per workspace on both databases — PostgreSQL
// locks the head row until the transaction ends, SQLite takes its write lock — so concurrent
// appends never fork the chain. The head also reveals entries cut off the end.
import { createHash } from "node:crypto";
import type { Actor } from "../auth/policy";
import type { Prisma } from "./generated/sqlite/client";
import { type DbOrTx, prismaOf, type Tx } from "./tx";

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

/** The first entry's prevHash. */
export const AUDIT_GENESIS = "0".repeat(64);
/** Version of the canonical serialisation the hash covers. */
const HASH_VERSION = 1;
/** The chain of entries that belong to no workspace. */
const NO_WORKSPACE = "-";

/** Key-sorted JSON: the same value always gives the same text, whatever the database did to key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

/** What the hash covers: everything an entry says, its place in the chain and its predecessor. */
export type ChainedContent = Omit<AuditEntryView, "id"> & { seq: number; prevHash: string };

export function auditEntryHash(e: ChainedContent): string {
  const content = canonicalJson([
    HASH_VERSION,
    e.seq,
    e.prevHash,
    e.workspaceId,
    e.actorId,
    e.actorLabel,
    e.action,
    e.targetType,
    e.targetId,
    e.summary,
    e.createdAt.toISOString(),
    e.data ?? null,
  ]);
  return createHash("sha256").update(content).digest("hex");
}

/** Appends on one handle, one after another (a use case may audit twice with Promise.all). */
const appending = new WeakMap<object, Promise<unknown>>();

function inTransaction(p: Tx): boolean {
  return typeof (p as { $disconnect?: unknown }).$disconnect !== "function";
}

export async function recordAudit(db: DbOrTx, entry: AuditInput): Promise<AuditEntryView> {
  const p = prismaOf(db);
  if (!inTransaction(p)) {
    // Its own transaction, whose first statement takes the chain head's lock.
    return (p as unknown as { $transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T> }).$transaction((tx) =>
      appendChained(tx, entry),
    );
  }
  const previous = appending.get(p) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(() => appendChained(p, entry));
  appending.set(p, next);
  return next;
}

async function appendChained(tx: Tx, entry: AuditInput): Promise<AuditEntryView> {
  const chain = entry.workspaceId ?? NO_WORKSPACE;
  // Taking the head first serialises appends to this chain until the transaction ends.
  const head = await tx.auditChain.upsert({
    where: { chain },
    create: { chain, seq: 1, hash: AUDIT_GENESIS },
    update: { seq: { increment: 1 } },
  });
  // Stored exactly as hashed: plain JSON (no undefined, dates as text), millisecond time.
  const data = entry.data === undefined || entry.data === null ? null : JSON.parse(JSON.stringify(entry.data));
  const content: ChainedContent = {
    seq: head.seq,
    prevHash: head.hash,
    workspaceId: entry.workspaceId,
    ...actorFields(entry.actor),
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    summary: entry.summary.length > MAX_SUMMARY ? `${entry.summary.slice(0, MAX_SUMMARY - 1)}…` : entry.summary,
    data,
    createdAt: new Date(),
  };
  const hash = auditEntryHash(content);
  const { data: _data, ...columns } = content;
  const row = await tx.auditEntry.create({
    data: { ...columns, hash, ...(data === null ? {} : { data: data as Prisma.InputJsonValue }) },
  });
  await tx.auditChain.update({ where: { chain }, data: { hash } });
  return row as AuditEntryView;
}

// ------------------------------------------------------------------ verification

export type AuditBreak = {
  /** the entry's place in the chain (null: an entry outside the chain) */
  seq: number | null;
  id: string | null;
  createdAt: string | null;
  action: string | null;
  problem: string;
};

export type AuditChainReport = {
  workspaceId: string | null;
  slug: string | null;
  /** entries in the chain */
  entries: number;
  /** entries written before the chain existed (not covered by it) */
  legacy: number;
  head: { seq: number; hash: string } | null;
  ok: boolean;
  /** the first broken link, when any */
  firstBreak: AuditBreak | null;
};

const PAGE = 1000;

/** Walks one workspace's chain (null: entries of no workspace) and names the first broken link. */
export async function verifyAuditChain(
  db: DbOrTx,
  workspaceId: string | null,
  slug: string | null = null,
): Promise<AuditChainReport> {
  const p = prismaOf(db);
  const report: AuditChainReport = { workspaceId, slug, entries: 0, legacy: 0, head: null, ok: true, firstBreak: null };
  const fail = (row: { seq: number | null; id: string; createdAt: Date; action: string } | null, problem: string) => {
    if (report.firstBreak) return;
    report.ok = false;
    report.firstBreak = {
      seq: row?.seq ?? null,
      id: row?.id ?? null,
      createdAt: row?.createdAt.toISOString() ?? null,
      action: row?.action ?? null,
      problem,
    };
  };
  let expected = 1;
  let prevHash = AUDIT_GENESIS;
  let firstAt: Date | null = null;
  for (;;) {
    const rows = await p.auditEntry.findMany({
      where: { workspaceId, seq: { gte: expected } },
      orderBy: { seq: "asc" },
      take: PAGE,
    });
    for (const row of rows) {
      const seq = row.seq as number;
      firstAt ??= row.createdAt;
      report.entries++;
      if (seq !== expected) {
        fail(
          row,
          seq > expected
            ? `entry #${expected} is missing: the chain jumps from #${expected - 1} to #${seq}`
            : `entry #${seq} appears twice`,
        );
      } else if (row.prevHash !== prevHash) {
        fail(
          row,
          `entry #${seq} does not follow entry #${seq - 1}: an entry before it was removed, replaced or reordered`,
        );
      } else if (
        row.hash !==
        auditEntryHash({
          seq,
          prevHash,
          workspaceId: row.workspaceId,
          actorId: row.actorId,
          actorLabel: row.actorLabel,
          action: row.action,
          targetType: row.targetType,
          targetId: row.targetId,
          summary: row.summary,
          data: row.data,
          createdAt: row.createdAt,
        })
      ) {
        fail(row, `entry #${seq} was changed after it was written: its content does not match its hash`);
      }
      expected = seq + 1;
      prevHash = row.hash ?? "";
    }
    if (rows.length < PAGE) break;
  }
  const head = await p.auditChain.findUnique({ where: { chain: workspaceId ?? NO_WORKSPACE } });
  report.head = head ? { seq: head.seq, hash: head.hash } : null;
  const lastSeq = expected - 1;
  if (head) {
    if (head.seq > lastSeq)
      fail(null, `entries #${lastSeq + 1} to #${head.seq} were removed from the end of the chain`);
    else if (head.seq !== lastSeq || head.hash !== prevHash)
      fail(null, `the chain head does not match its last entry #${lastSeq}: the head or the entries were rewritten`);
  } else if (lastSeq > 0) fail(null, "the chain head is missing: the chain was rewritten");
  report.legacy = await p.auditEntry.count({ where: { workspaceId, seq: null } });
  if (report.legacy > 0 && firstAt) {
    const late = await p.auditEntry.findFirst({
      where: { workspaceId, seq: null, createdAt: { gte: firstAt } },
      orderBy: { createdAt: "asc" },
    });
    if (late) fail(late, `entry ${late.id} is not in the chain although it was written after the chain began`);
  }
  return report;
}

/** Every workspace's chain (or the one with this slug), plus entries of no workspace if any. */
export async function verifyAudit(db: DbOrTx, options: { workspaceSlug?: string } = {}): Promise<AuditChainReport[]> {
  const p = prismaOf(db);
  const workspaces = await p.workspace.findMany({
    where: options.workspaceSlug ? { slug: options.workspaceSlug } : {},
    select: { id: true, slug: true },
    orderBy: { slug: "asc" },
  });
  const reports: AuditChainReport[] = [];
  for (const ws of workspaces) reports.push(await verifyAuditChain(db, ws.id, ws.slug));
  if (!options.workspaceSlug) {
    const orphans =
      (await p.auditEntry.count({ where: { workspaceId: null } })) +
      (await p.auditChain.count({ where: { chain: NO_WORKSPACE } }));
    if (orphans > 0) reports.push(await verifyAuditChain(db, null, null));
  }
  return reports;
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
export async function listAudit(db: DbOrTx, filter: AuditFilter): Promise<AuditPage> {
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
  const rows = await prismaOf(db).auditEntry.findMany({
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
  db: DbOrTx,
  workspaceId: string,
): Promise<{ actions: string[]; actors: { actorId: string | null; actorLabel: string }[] }> {
  const p = prismaOf(db);
  const [actions, actors] = await Promise.all([
    p.auditEntry.findMany({
      where: { workspaceId },
      distinct: ["action"],
      select: { action: true },
      orderBy: { action: "asc" },
    }),
    p.auditEntry.findMany({
      where: { workspaceId },
      distinct: ["actorLabel"],
      select: { actorId: true, actorLabel: true },
      orderBy: { actorLabel: "asc" },
    }),
  ]);
  return { actions: actions.map((a) => a.action), actors };
}

/** The `data` of every audit entry with this action about these targets (reconciling audits). */
export async function auditDataFor(
  db: DbOrTx,
  where: { action: string; targetIds: string[] },
): Promise<{ targetId: string | null; data: unknown }[]> {
  if (where.targetIds.length === 0) return [];
  return prismaOf(db).auditEntry.findMany({
    where: { action: where.action, targetId: { in: where.targetIds } },
    select: { targetId: true, data: true },
  });
}

/** Whether the workspace's trail has an entry with this action about this target. */
export async function hasAuditEntry(
  db: DbOrTx,
  where: { workspaceId: string; action: string; targetId: string },
): Promise<boolean> {
  const entry = await prismaOf(db).auditEntry.findFirst({ where, select: { id: true } });
  return entry !== null;
}
