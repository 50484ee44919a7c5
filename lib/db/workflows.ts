// Workflows as the builder sees them: list/search/sort, create (blank or from a template),
// duplicate, rename, soft delete, import (validated; nothing saved when invalid), export
// (secrets stripped), draft saves with a revision check, publish (immutable version only when
// the document has no problems), version history, restore. Every change writes its audit entry
// in the same transaction. Callers (server actions, API, CLI) check permissions with can()
// before calling; every function here is scoped to one workspace.
import { z } from "zod";
import { blankDocument } from "../canvas/convert";
import { AppError, type FieldError } from "../server/errors";
import { getTemplate } from "../templates";
import { validateWorkflow } from "../workflow/validate";
import { type AuditActor, recordAudit } from "./audit";
import type { Db } from "./client";
import type { Prisma } from "./generated/sqlite/client";
import { userNames } from "./users";
import { contentHash, isUniqueViolation } from "./workflows-store";

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

export interface Scope {
  workspaceId: string;
  actor: AuditActor;
  userId?: string | null;
}

export type SaveResult =
  | { status: "saved"; revision: number; updatedAt: Date }
  | { status: "conflict"; revision: number; updatedAt: Date; updatedBy: string | null };

/** Draft documents may be incomplete (that is what the checklist is for) but must be this shape. */
const draftShape = z
  .object({
    format: z.string(),
    name: z.string().max(200),
    nodes: z
      .array(z.object({ id: z.string().min(1).max(64), type: z.string().min(1), config: z.unknown() }).passthrough())
      .max(2000),
    edges: z.array(z.object({ source: z.string(), target: z.string() }).passthrough()).max(10_000),
  })
  .passthrough();

const MAX_DOCUMENT_BYTES = 2_000_000;

const problemsOf = (document: unknown): FieldError[] => {
  const result = validateWorkflow(document);
  return result.valid ? [] : result.issues.map((p) => ({ path: p.path, message: p.message }));
};

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
  versions: { orderBy: { version: "desc" as const }, take: 1, select: { version: true } },
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
    db.prisma,
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
  const who = await userNames(db.prisma, [r.updatedById]);
  return { ...listItemOf(r, who), draft: r.draft as Record<string, unknown> };
}

async function requireWorkflow(db: Db | Prisma.TransactionClient, workspaceId: string, id: string) {
  const client = "prisma" in db ? db.prisma : db;
  const wf = await client.workflow.findFirst({ where: { id, workspaceId, deletedAt: null } });
  if (!wf) throw new AppError("not_found:workflow");
  return wf;
}

function parseDraft(document: unknown): Record<string, unknown> {
  const size = JSON.stringify(document ?? null).length;
  if (size > MAX_DOCUMENT_BYTES) {
    throw new AppError("invalid:document", {
      message: `The document is too large (${size} bytes; at most ${MAX_DOCUMENT_BYTES}).`,
    });
  }
  const parsed = draftShape.safeParse(document);
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError("invalid:document", {
      message: `${fieldErrors[0].path || "document"}: ${fieldErrors[0].message}`,
      fieldErrors,
    });
  }
  return parsed.data as Record<string, unknown>;
}

async function insertWorkflow(
  db: Db,
  scope: Scope,
  document: Record<string, unknown>,
  action: string,
  summary: string,
) {
  return db.prisma.$transaction(async (tx) => {
    const wf = await tx.workflow.create({
      data: {
        workspaceId: scope.workspaceId,
        name: String(document.name || "Untitled workflow").slice(0, 200),
        description: String(document.description ?? "").slice(0, 10_000),
        draft: document as Prisma.InputJsonValue,
        createdById: scope.userId ?? null,
        updatedById: scope.userId ?? null,
      },
      select: { id: true, name: true },
    });
    await recordAudit(tx, {
      workspaceId: scope.workspaceId,
      actor: scope.actor,
      action,
      targetType: "workflow",
      targetId: wf.id,
      summary: `${summary} “${wf.name}”`,
    });
    return wf;
  });
}

export async function createWorkflow(
  db: Db,
  scope: Scope,
  input: { name?: string; templateId?: string },
): Promise<{ id: string; name: string }> {
  let document: Record<string, unknown>;
  if (input.templateId) {
    const template = getTemplate(input.templateId);
    if (!template)
      throw new AppError("not_found:template", { fieldErrors: [{ path: "templateId", message: "unknown template" }] });
    document = structuredClone(template.document);
    if (input.name?.trim()) document.name = input.name.trim();
  } else {
    document = blankDocument(input.name?.trim() || "Untitled workflow") as unknown as Record<string, unknown>;
  }
  return insertWorkflow(
    db,
    scope,
    document,
    "workflow.created",
    input.templateId ? "Created from template" : "Created",
  );
}

export async function duplicateWorkflow(db: Db, scope: Scope, id: string): Promise<{ id: string; name: string }> {
  const wf = await requireWorkflow(db, scope.workspaceId, id);
  const document = structuredClone(wf.draft as Record<string, unknown>);
  document.name = `Copy of ${wf.name}`.slice(0, 200);
  return insertWorkflow(db, scope, document, "workflow.created", "Duplicated");
}

/** Renames the workflow and its draft document (a new draft revision). */
export async function renameWorkflow(db: Db, scope: Scope, id: string, name: string): Promise<{ revision: number }> {
  const clean = name.trim();
  if (!clean) throw new AppError("invalid:workflow", { fieldErrors: [{ path: "name", message: "Name is required" }] });
  if (clean.length > 200) {
    throw new AppError("invalid:workflow", { fieldErrors: [{ path: "name", message: "At most 200 characters" }] });
  }
  return db.prisma.$transaction(async (tx) => {
    const wf = await requireWorkflow(tx, scope.workspaceId, id);
    const draft = { ...(wf.draft as Record<string, unknown>), name: clean };
    const updated = await tx.workflow.update({
      where: { id },
      data: { name: clean, draft, draftRevision: { increment: 1 }, updatedById: scope.userId ?? null },
      select: { draftRevision: true },
    });
    await recordAudit(tx, {
      workspaceId: scope.workspaceId,
      actor: scope.actor,
      action: "workflow.renamed",
      targetType: "workflow",
      targetId: id,
      summary: `Renamed “${wf.name}” to “${clean}”`,
    });
    return { revision: updated.draftRevision };
  });
}

export async function deleteWorkflow(db: Db, scope: Scope, id: string): Promise<void> {
  await db.prisma.$transaction(async (tx) => {
    const wf = await requireWorkflow(tx, scope.workspaceId, id);
    await tx.workflow.update({ where: { id }, data: { deletedAt: new Date(), updatedById: scope.userId ?? null } });
    await recordAudit(tx, {
      workspaceId: scope.workspaceId,
      actor: scope.actor,
      action: "workflow.deleted",
      targetType: "workflow",
      targetId: id,
      summary: `Deleted “${wf.name}”`,
    });
  });
}

/**
 * Imports a document (object or JSON text). Every problem is reported at once, each with its
 * path; when there is any problem nothing is written.
 */
export async function importWorkflow(db: Db, scope: Scope, raw: unknown): Promise<{ id: string; name: string }> {
  let document = raw;
  if (typeof raw === "string") {
    try {
      document = JSON.parse(raw);
    } catch (error) {
      throw new AppError("invalid:document", {
        message: `This file is not JSON: ${(error as Error).message}`,
        fieldErrors: [{ path: "", message: `not JSON: ${(error as Error).message}` }],
      });
    }
  }
  const problems = problemsOf(document);
  if (problems.length > 0) {
    throw new AppError("invalid:document", {
      message: `The document has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was imported.`,
      fieldErrors: problems,
    });
  }
  return insertWorkflow(db, scope, document as Record<string, unknown>, "workflow.imported", "Imported");
}

const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|bearer|private[-_]?key)$/i;

/**
 * A copy of a document without secrets: credential references are removed (the importing
 * installation picks its own), header and field values whose key names a secret are blanked
 * unless they are templates (which reference data, not secrets).
 */
export function stripSecrets<T>(document: T): T {
  const walk = (value: unknown, key: string | null): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === "credential" || k === "credentials") continue;
        out[k] = walk(v, k);
      }
      return out;
    }
    if (typeof value === "string" && key && SECRET_KEY.test(key) && !/^\s*\{\{[\s\S]*\}\}\s*$/.test(value)) return "";
    return value;
  };
  return walk(document, null) as T;
}

/** The draft (or one published version) as a portable document, secrets stripped. */
export async function exportWorkflow(
  db: Db,
  workspaceId: string,
  id: string,
  version?: number,
): Promise<Record<string, unknown>> {
  const wf = await requireWorkflow(db, workspaceId, id);
  let document = wf.draft as Record<string, unknown>;
  if (version !== undefined) {
    const v = await db.prisma.workflowVersion.findUnique({
      where: { workflowId_version: { workflowId: id, version } },
    });
    if (!v) throw new AppError("not_found:version");
    document = v.document as Record<string, unknown>;
  }
  return stripSecrets(document);
}

/**
 * Saves the draft if nobody saved since `baseRevision`; otherwise reports the newer revision
 * and who saved it, and changes nothing. Never overwrites silently.
 */
export async function saveDraft(
  db: Db,
  scope: Scope,
  input: { id: string; baseRevision: number; document: unknown },
): Promise<SaveResult> {
  const document = parseDraft(input.document);
  return db.prisma.$transaction(async (tx) => {
    const updated = await tx.workflow.updateMany({
      where: { id: input.id, workspaceId: scope.workspaceId, deletedAt: null, draftRevision: input.baseRevision },
      data: {
        draft: document as Prisma.InputJsonValue,
        name: String(document.name || "Untitled workflow").slice(0, 200),
        description: String(document.description ?? "").slice(0, 10_000),
        draftRevision: { increment: 1 },
        updatedById: scope.userId ?? null,
      },
    });
    const row = await tx.workflow.findFirst({
      where: { id: input.id, workspaceId: scope.workspaceId, deletedAt: null },
      select: { draftRevision: true, updatedAt: true, updatedById: true },
    });
    if (!row) throw new AppError("not_found:workflow");
    if (updated.count === 0) {
      const who = row.updatedById
        ? await tx.user.findUnique({ where: { id: row.updatedById }, select: { name: true, email: true } })
        : null;
      return {
        status: "conflict",
        revision: row.draftRevision,
        updatedAt: row.updatedAt,
        updatedBy: who ? who.name || who.email : null,
      } as const;
    }
    return { status: "saved", revision: row.draftRevision, updatedAt: row.updatedAt } as const;
  });
}

/** The draft's validation problems (what the checklist shows). */
export function documentProblems(document: unknown): FieldError[] {
  return problemsOf(document);
}

/**
 * Publishes the current draft as the next immutable version. Refused (nothing written) while
 * the draft has any validation problem. Publishing an unchanged draft returns the latest version.
 */
export async function publishWorkflow(
  db: Db,
  scope: Scope,
  input: { id: string; note?: string; baseRevision?: number },
): Promise<{ version: number; versionId: string; created: boolean }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.prisma.$transaction(async (tx) => {
        const wf = await requireWorkflow(tx, scope.workspaceId, input.id);
        if (input.baseRevision !== undefined && wf.draftRevision !== input.baseRevision) {
          throw new AppError("conflict:workflow", {
            message: "The draft changed since you opened it. Reload to publish the newest draft.",
          });
        }
        const problems = problemsOf(wf.draft);
        if (problems.length > 0) {
          throw new AppError("invalid:workflow", {
            message: `Fix ${problems.length} problem${problems.length === 1 ? "" : "s"} before publishing.`,
            fieldErrors: problems,
          });
        }
        const hash = contentHash(wf.draft);
        const last = await tx.workflowVersion.findFirst({
          where: { workflowId: wf.id },
          orderBy: { version: "desc" },
          select: { id: true, version: true, contentHash: true },
        });
        if (last && last.contentHash === hash) return { version: last.version, versionId: last.id, created: false };
        const version = (last?.version ?? 0) + 1;
        const created = await tx.workflowVersion.create({
          data: {
            workspaceId: scope.workspaceId,
            workflowId: wf.id,
            version,
            document: wf.draft as Prisma.InputJsonValue,
            contentHash: hash,
            publishedById: scope.userId ?? null,
            note: (input.note ?? "").slice(0, 500),
          },
          select: { id: true },
        });
        await recordAudit(tx, {
          workspaceId: scope.workspaceId,
          actor: scope.actor,
          action: "workflow.published",
          targetType: "workflow",
          targetId: wf.id,
          summary: `Published “${wf.name}” version ${version}`,
          data: { version, versionId: created.id },
        });
        return { version, versionId: created.id, created: true };
      });
    } catch (error) {
      if (attempt < 5 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}

export async function listVersions(db: Db, workspaceId: string, id: string): Promise<VersionView[]> {
  await requireWorkflow(db, workspaceId, id);
  const rows = await db.prisma.workflowVersion.findMany({
    where: { workflowId: id, workspaceId },
    orderBy: { version: "desc" },
    select: { id: true, version: true, note: true, createdAt: true, contentHash: true, publishedById: true },
  });
  const who = await userNames(
    db.prisma,
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

export async function getVersionDocument(
  db: Db,
  workspaceId: string,
  id: string,
  version: number,
): Promise<Record<string, unknown>> {
  await requireWorkflow(db, workspaceId, id);
  const v = await db.prisma.workflowVersion.findUnique({ where: { workflowId_version: { workflowId: id, version } } });
  if (!v || v.workspaceId !== workspaceId) throw new AppError("not_found:version");
  return v.document as Record<string, unknown>;
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

/** Makes a published version the draft again (a new draft revision; revision-checked like a save). */
export async function restoreVersion(
  db: Db,
  scope: Scope,
  input: { id: string; version: number; baseRevision: number },
): Promise<SaveResult> {
  const document = await getVersionDocument(db, scope.workspaceId, input.id, input.version);
  const result = await saveDraft(db, scope, { id: input.id, baseRevision: input.baseRevision, document });
  if (result.status === "saved") {
    await recordAudit(db.prisma, {
      workspaceId: scope.workspaceId,
      actor: scope.actor,
      action: "workflow.restored",
      targetType: "workflow",
      targetId: input.id,
      summary: `Restored version ${input.version} as the draft`,
      data: { version: input.version },
    });
  }
  return result;
}

/** "Keep both" after a save conflict: my draft becomes a new workflow next to the original. */
export async function saveDraftAsCopy(
  db: Db,
  scope: Scope,
  input: { id: string; document: unknown },
): Promise<{ id: string; name: string }> {
  const wf = await requireWorkflow(db, scope.workspaceId, input.id);
  const document = parseDraft(input.document);
  document.name = `${String(document.name || wf.name)} (my copy)`.slice(0, 200);
  return insertWorkflow(db, scope, document, "workflow.created", "Saved a conflicting draft as a copy");
}

/**
 * The immutable version a run from the editor is pinned to: the latest version when the draft
 * equals it, else a new version of the draft (noted as a run from the editor). Refused while
 * the draft has problems, like publishing.
 */
export async function pinDraftForRun(
  db: Db,
  scope: Scope,
  id: string,
): Promise<{ versionId: string; version: number; document: Record<string, unknown>; created: boolean }> {
  const wf = await requireWorkflow(db, scope.workspaceId, id);
  const problems = problemsOf(wf.draft);
  if (problems.length > 0) {
    throw new AppError("invalid:workflow", {
      message: `Fix ${problems.length} problem${problems.length === 1 ? "" : "s"} in the checklist before running.`,
      fieldErrors: problems,
    });
  }
  const hash = contentHash(wf.draft);
  const same = await db.prisma.workflowVersion.findFirst({
    where: { workflowId: id, contentHash: hash },
    orderBy: { version: "desc" },
    select: { id: true, version: true },
  });
  if (same)
    return { versionId: same.id, version: same.version, document: wf.draft as Record<string, unknown>, created: false };
  const published = await publishWorkflow(db, scope, { id, note: "Run from the editor" });
  return {
    versionId: published.versionId,
    version: published.version,
    document: wf.draft as Record<string, unknown>,
    created: true,
  };
}
