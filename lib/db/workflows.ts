// Workflow queries for the builder: list/search/sort, one workflow, its versions, and the writes
// the workflow use cases (lib/use-cases/workflows) compose into their transactions: insert, draft
// updates with a revision check, soft delete, version inserts. Every query is scoped to one
// workspace. No validation and no audit here: the use cases do both.
import type { Db } from "./client";
import type { Prisma } from "./generated/sqlite/client";
import { type DbOrTx, prismaOf } from "./tx";
import { userNames } from "./users";

export type WorkflowSort = "updated" | "name" | "created";

export interface WorkflowListItem {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  updatedAt: Date;
  updatedBy: string | null;
  draftRevision: number;
  latestVersion: number | null;
  nodeCount: number;
}

export interface WorkflowDetail extends WorkflowListItem {
  draft: Record<string, unknown>;
}

export interface VersionView {
  id: string;
  version: number;
  note: string;
  createdAt: Date;
  contentHash: string;
  publishedBy: string | null;
}

/** A workflow row as the use cases need it. */
export interface WorkflowRow {
  id: string;
  workspaceId: string;
  name: string;
  draft: Record<string, unknown>;
  draftRevision: number;
}

/** Case-insensitive "contains": PostgreSQL needs mode insensitive (SQLite's LIKE already is, for ASCII). */
function containsText(db: Db, q: string): Prisma.StringFilter {
  return (db.provider === "postgresql" ? { contains: q, mode: "insensitive" } : { contains: q }) as Prisma.StringFilter;
}

/** The columns a workflow list row and the editor header need (the latest version number included). */
const WORKFLOW_SUMMARY_SELECT = {
  id: true,
  name: true,
  description: true,
  createdAt: true,
  updatedAt: true,
  updatedById: true,
  draftRevision: true,
  draft: true,
  versions: { where: { draft: false }, orderBy: { version: "desc" as const }, take: 1, select: { version: true } },
} as const;

export async function listWorkflows(
  db: Db,
  workspaceId: string,
  opts: { q?: string; sort?: WorkflowSort; limit?: number } = {},
): Promise<WorkflowListItem[]> {
  const q = opts.q?.trim();
  const orderBy: Prisma.WorkflowOrderByWithRelationInput =
    opts.sort === "name" ? { name: "asc" } : opts.sort === "created" ? { createdAt: "desc" } : { updatedAt: "desc" };
  const rows = await db.prisma.workflow.findMany({
    where: {
      workspaceId,
      deletedAt: null,
      ...(q ? { OR: [{ name: containsText(db, q) }, { description: containsText(db, q) }] } : {}),
    },
    orderBy: [orderBy, { id: "asc" }],
    take: opts.limit ?? 500,
    select: WORKFLOW_SUMMARY_SELECT,
  });
  // SQLite's contains is case-insensitive for ASCII, PostgreSQL's is not: filter again here.
  const needle = q?.toLowerCase();
  const filtered = needle
    ? rows.filter((r) => r.name.toLowerCase().includes(needle) || r.description.toLowerCase().includes(needle))
    : rows;
  const who = await userNames(
    db,
    filtered.map((r) => r.updatedById),
  );
  if (opts.sort === "name") filtered.sort((a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" }));
  return filtered.map((r) => listItemOf(r, who));
}

type WorkflowSummaryRow = Prisma.WorkflowGetPayload<{ select: typeof WORKFLOW_SUMMARY_SELECT }>;

/** A list row from a WORKFLOW_SUMMARY_SELECT row; `who` names the last editor. */
function listItemOf(r: WorkflowSummaryRow, who: Map<string, string>): WorkflowListItem {
  const nodes = (r.draft as { nodes?: unknown } | null)?.nodes;
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    updatedBy: r.updatedById ? (who.get(r.updatedById) ?? null) : null,
    draftRevision: r.draftRevision,
    latestVersion: r.versions[0]?.version ?? null,
    nodeCount: Array.isArray(nodes) ? nodes.length : 0,
  };
}

export async function getWorkflow(db: Db, workspaceId: string, id: string): Promise<WorkflowDetail | null> {
  const r = await db.prisma.workflow.findFirst({
    where: { id, workspaceId, deletedAt: null },
    select: WORKFLOW_SUMMARY_SELECT,
  });
  if (!r) return null;
  const who = await userNames(db, [r.updatedById]);
  return { ...listItemOf(r, who), draft: r.draft as Record<string, unknown> };
}

/** A live (not deleted) workflow of this workspace, or null. */
export async function findWorkflow(db: DbOrTx, workspaceId: string, id: string): Promise<WorkflowRow | null> {
  const wf = await prismaOf(db).workflow.findFirst({
    where: { id, workspaceId, deletedAt: null },
    select: { id: true, workspaceId: true, name: true, draft: true, draftRevision: true },
  });
  return wf ? { ...wf, draft: wf.draft as Record<string, unknown> } : null;
}

/** The workspace a live workflow belongs to (what authorization needs), or null. */
export async function workflowWorkspace(db: DbOrTx, id: string): Promise<{ workspaceId: string } | null> {
  return prismaOf(db).workflow.findFirst({ where: { id, deletedAt: null }, select: { workspaceId: true } });
}

export async function insertWorkflow(
  db: DbOrTx,
  input: { workspaceId: string; userId: string | null; name: string; description: string; draft: unknown },
): Promise<{ id: string; name: string }> {
  return prismaOf(db).workflow.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      description: input.description,
      draft: input.draft as Prisma.InputJsonValue,
      createdById: input.userId,
      updatedById: input.userId,
    },
    select: { id: true, name: true },
  });
}

/** Renames the workflow and its draft document: a new draft revision. */
export async function renameWorkflowDraft(
  db: DbOrTx,
  input: { id: string; name: string; draft: unknown; userId: string | null },
): Promise<{ revision: number }> {
  const updated = await prismaOf(db).workflow.update({
    where: { id: input.id },
    data: {
      name: input.name,
      draft: input.draft as Prisma.InputJsonValue,
      draftRevision: { increment: 1 },
      updatedById: input.userId,
    },
    select: { draftRevision: true },
  });
  return { revision: updated.draftRevision };
}

export async function softDeleteWorkflow(db: DbOrTx, input: { id: string; userId: string | null }): Promise<void> {
  await prismaOf(db).workflow.update({
    where: { id: input.id },
    data: { deletedAt: new Date(), updatedById: input.userId },
  });
}

export type DraftUpdate =
  | { status: "saved"; revision: number; updatedAt: Date }
  | { status: "conflict"; revision: number; updatedAt: Date; updatedBy: string | null }
  | { status: "missing" };

/**
 * Writes the draft only if its revision is still `baseRevision` (one conditional update); else
 * reports the newer revision and who saved it, and changes nothing.
 */
export async function updateDraftIfRevision(
  db: DbOrTx,
  input: {
    workspaceId: string;
    id: string;
    baseRevision: number;
    draft: unknown;
    name: string;
    description: string;
    userId: string | null;
  },
): Promise<DraftUpdate> {
  const p = prismaOf(db);
  const updated = await p.workflow.updateMany({
    where: { id: input.id, workspaceId: input.workspaceId, deletedAt: null, draftRevision: input.baseRevision },
    data: {
      draft: input.draft as Prisma.InputJsonValue,
      name: input.name,
      description: input.description,
      draftRevision: { increment: 1 },
      updatedById: input.userId,
    },
  });
  const row = await p.workflow.findFirst({
    where: { id: input.id, workspaceId: input.workspaceId, deletedAt: null },
    select: { draftRevision: true, updatedAt: true, updatedById: true },
  });
  if (!row) return { status: "missing" };
  if (updated.count === 0) {
    const who = row.updatedById
      ? await p.user.findUnique({ where: { id: row.updatedById }, select: { name: true, email: true } })
      : null;
    return {
      status: "conflict",
      revision: row.draftRevision,
      updatedAt: row.updatedAt,
      updatedBy: who ? who.name || who.email : null,
    };
  }
  return { status: "saved", revision: row.draftRevision, updatedAt: row.updatedAt };
}

/** The newest published version of a workflow (or the newest with this content hash), or null. */
export async function latestVersion(
  db: DbOrTx,
  workflowId: string,
  where: { contentHash?: string } = {},
): Promise<{ id: string; version: number; contentHash: string } | null> {
  return prismaOf(db).workflowVersion.findFirst({
    where: { workflowId, draft: false, ...where },
    orderBy: { version: "desc" },
    select: { id: true, version: true, contentHash: true },
  });
}

/**
 * The snapshot of a draft that editor runs are pinned to: an existing one with the same content,
 * else a new one numbered below the lowest so far (-1, -2, …). Not a published version: nothing
 * that runs "the latest version" ever picks it.
 */
export async function draftSnapshot(
  db: DbOrTx,
  input: { workspaceId: string; workflowId: string; document: unknown; contentHash: string; userId: string | null },
): Promise<{ id: string; version: number; created: boolean }> {
  const p = prismaOf(db);
  const same = await p.workflowVersion.findFirst({
    where: { workflowId: input.workflowId, draft: true, contentHash: input.contentHash },
    orderBy: { version: "asc" },
    select: { id: true, version: true },
  });
  if (same) return { ...same, created: false };
  const lowest = await p.workflowVersion.findFirst({
    where: { workflowId: input.workflowId, draft: true },
    orderBy: { version: "asc" },
    select: { version: true },
  });
  const row = await p.workflowVersion.create({
    data: {
      workspaceId: input.workspaceId,
      workflowId: input.workflowId,
      version: Math.min(0, lowest?.version ?? 0) - 1,
      document: input.document as Prisma.InputJsonValue,
      contentHash: input.contentHash,
      publishedById: input.userId,
      note: "Draft run",
      draft: true,
    },
    select: { id: true, version: true },
  });
  return { ...row, created: true };
}

export async function insertVersion(
  db: DbOrTx,
  input: {
    workspaceId: string;
    workflowId: string;
    version: number;
    document: unknown;
    contentHash: string;
    userId: string | null;
    note: string;
  },
): Promise<{ id: string }> {
  return prismaOf(db).workflowVersion.create({
    data: {
      workspaceId: input.workspaceId,
      workflowId: input.workflowId,
      version: input.version,
      document: input.document as Prisma.InputJsonValue,
      contentHash: input.contentHash,
      publishedById: input.userId,
      note: input.note,
    },
    select: { id: true },
  });
}

/** One version's document, or null (unknown version, or another workspace's). */
export async function findVersionDocument(
  db: DbOrTx,
  workspaceId: string,
  workflowId: string,
  version: number,
): Promise<Record<string, unknown> | null> {
  const v = await prismaOf(db).workflowVersion.findUnique({
    where: { workflowId_version: { workflowId, version } },
    select: { workspaceId: true, document: true },
  });
  return v && v.workspaceId === workspaceId ? (v.document as Record<string, unknown>) : null;
}

export async function listVersionRows(db: Db, workspaceId: string, workflowId: string): Promise<VersionView[]> {
  const rows = await db.prisma.workflowVersion.findMany({
    where: { workflowId, workspaceId, draft: false },
    orderBy: { version: "desc" },
    select: { id: true, version: true, note: true, createdAt: true, contentHash: true, publishedById: true },
  });
  const who = await userNames(
    db,
    rows.map((r) => r.publishedById),
  );
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    note: r.note,
    createdAt: r.createdAt,
    contentHash: r.contentHash,
    publishedBy: r.publishedById ? (who.get(r.publishedById) ?? null) : null,
  }));
}

/**
 * A run of this workflow in this workspace (the editor's `?run=` view), or null when the run
 * does not exist, belongs to another workflow or to another workspace.
 */
export async function getWorkflowRun(
  db: Db,
  workspaceId: string,
  workflowId: string,
  runId: string,
): Promise<{ id: string; status: string; version: number } | null> {
  const run = await db.prisma.run.findFirst({
    where: { id: runId, workflowId, workspaceId },
    select: { id: true, status: true, workflowVersion: { select: { version: true } } },
  });
  return run ? { id: run.id, status: run.status, version: run.workflowVersion.version } : null;
}
