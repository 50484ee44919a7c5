// Workflows and their immutable versions, as the CLI, the runtime and subworkflows need them.
// A CLI run of a file pins the run to a WorkflowVersion whose document is exactly that file:
// identical documents (by a hash of their canonical JSON) reuse one version, a changed document
// becomes the next version of the workflow with the same name. Published versions are loaded
// here for the subworkflow node.
import { createHash } from "node:crypto";
import type { Db } from "./client";
import { DEMO_WORKSPACE } from "./seed";

/** The slug of the seeded demo workspace; CLI runs belong to it when it exists. */
export const DEMO_WORKSPACE_SLUG = DEMO_WORKSPACE.slug;
/** Created on demand when there is no demo workspace. */
export const DEFAULT_WORKSPACE_SLUG = "default";

/** JSON with object keys sorted at every level, so equal documents hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

export function contentHash(document: unknown): string {
  return createHash("sha256").update(canonicalJson(document)).digest("hex");
}

export interface WorkspaceRef {
  id: string;
  name: string;
  slug: string;
}

/** The workspace CLI runs belong to: the seeded demo workspace, else "Default" (created once). */
export async function cliWorkspace(db: Db): Promise<WorkspaceRef> {
  const select = { id: true, name: true, slug: true } as const;
  const demo = await db.prisma.workspace.findUnique({ where: { slug: DEMO_WORKSPACE_SLUG }, select });
  if (demo) return demo;
  return db.prisma.workspace.upsert({
    where: { slug: DEFAULT_WORKSPACE_SLUG },
    create: { name: "Default", slug: DEFAULT_WORKSPACE_SLUG },
    update: {},
    select,
  });
}

export interface PinnedVersion {
  workflowId: string;
  workflowVersionId: string;
  version: number;
  contentHash: string;
  /** true when this call created the version (false: an identical document was already stored) */
  created: boolean;
}

export interface PinDocumentInput {
  workspaceId: string;
  /** an already validated switchboard.workflow/v1 document */
  document: { name?: string; description?: string } & Record<string, unknown>;
  userId?: string | null;
  note?: string;
}

/**
 * Finds or creates the immutable version holding exactly `document`: a version with the same
 * content hash in the workspace is reused; otherwise the document becomes the next version of
 * the workflow with the same name (created with the document as its draft when there is none).
 */
export async function pinDocumentVersion(db: Db, input: PinDocumentInput): Promise<PinnedVersion> {
  const hash = contentHash(input.document);
  const name = (input.document.name ?? "").trim() || "Untitled workflow";
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.prisma.$transaction(async (tx) => {
        // PostgreSQL: one pinner per workflow name at a time, or two would each create the workflow.
        // (SQLite runs one writing transaction at a time anyway.)
        if (db.provider === "postgresql")
          await tx.$queryRawUnsafe(
            "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l",
            `switchboard.pin:${input.workspaceId}:${name}`,
          );
        const existing = await tx.workflowVersion.findFirst({
          where: { workspaceId: input.workspaceId, contentHash: hash, draft: false, workflow: { deletedAt: null } },
          orderBy: { createdAt: "desc" },
          select: { id: true, workflowId: true, version: true },
        });
        if (existing) {
          return {
            workflowId: existing.workflowId,
            workflowVersionId: existing.id,
            version: existing.version,
            contentHash: hash,
            created: false,
          };
        }
        let workflow = await tx.workflow.findFirst({
          where: { workspaceId: input.workspaceId, name, deletedAt: null },
          orderBy: { createdAt: "asc" },
          select: { id: true },
        });
        workflow ??= await tx.workflow.create({
          data: {
            workspaceId: input.workspaceId,
            name,
            description: input.document.description ?? "",
            draft: input.document as object,
            createdById: input.userId ?? null,
            updatedById: input.userId ?? null,
          },
          select: { id: true },
        });
        const last = await tx.workflowVersion.findFirst({
          where: { workflowId: workflow.id, draft: false },
          orderBy: { version: "desc" },
          select: { version: true },
        });
        const version = (last?.version ?? 0) + 1;
        const created = await tx.workflowVersion.create({
          data: {
            workspaceId: input.workspaceId,
            workflowId: workflow.id,
            version,
            document: input.document as object,
            contentHash: hash,
            publishedById: input.userId ?? null,
            note: input.note ?? "",
          },
          select: { id: true },
        });
        return { workflowId: workflow.id, workflowVersionId: created.id, version, contentHash: hash, created: true };
      });
    } catch (error) {
      // Two processes pinning at once: the loser hits the (workflowId, version) unique key, or
      // (SQLite, another process) finds the database locked or its snapshot stale; try again.
      if (attempt < 5 && (isUniqueViolation(error) || isTransientConflict(error))) continue;
      throw error;
    }
  }
}

function isTransientConflict(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : "";
  return code === "P2034" || /database is locked|SQLITE_BUSY/i.test(message);
}

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

export interface StoredVersion {
  workflowId: string;
  workflowVersionId: string;
  workflowName: string;
  version: number;
  document: unknown;
}

/** One version by id (what a run is pinned to). */
export async function loadVersionById(db: Db, workflowVersionId: string): Promise<StoredVersion | null> {
  const row = await db.prisma.workflowVersion.findUnique({
    where: { id: workflowVersionId },
    select: { id: true, workflowId: true, version: true, document: true, workflow: { select: { name: true } } },
  });
  return row
    ? {
        workflowId: row.workflowId,
        workflowVersionId: row.id,
        workflowName: row.workflow.name,
        version: row.version,
        document: row.document,
      }
    : null;
}

/**
 * A published version for a subworkflow node: `workflow` is a workflow id or its name in the
 * workspace, `version` a number or "latest" (the highest published version).
 */
export async function loadPublishedVersion(
  db: Db,
  workspaceId: string,
  workflow: string,
  version: number | "latest" | undefined,
): Promise<StoredVersion | null> {
  const wf =
    (await db.prisma.workflow.findFirst({
      where: { id: workflow, workspaceId, deletedAt: null },
      select: { id: true, name: true },
    })) ??
    (await db.prisma.workflow.findFirst({
      where: { name: workflow, workspaceId, deletedAt: null },
      orderBy: { createdAt: "asc" },
      select: { id: true, name: true },
    }));
  if (!wf) return null;
  const row = await db.prisma.workflowVersion.findFirst({
    where: { workflowId: wf.id, draft: false, ...(typeof version === "number" ? { version } : {}) },
    orderBy: { version: "desc" },
    select: { id: true, version: true, document: true },
  });
  return row
    ? {
        workflowId: wf.id,
        workflowVersionId: row.id,
        workflowName: wf.name,
        version: row.version,
        document: row.document,
      }
    : null;
}
