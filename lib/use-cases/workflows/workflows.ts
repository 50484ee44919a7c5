// Workflow use cases: create (blank or from a template), duplicate, rename, soft delete, import
// (validated; nothing saved when invalid), export (secrets stripped), draft saves with a revision
// check, publish (an immutable version only when the document has no problems), version history,
// restore, and pinning the draft for a run from the editor. Each change writes its audit entry in
// the same transaction. The caller (authedAction, authedRoute) has checked the role; every use
// case is scoped to the Scope's workspace.

import { blankDocument } from "@/lib/canvas/convert";
import { AppError } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import type { Db } from "@/lib/db/client";
import { credentialNames } from "@/lib/db/credentials";
import { type DbOrTx, transaction } from "@/lib/db/tx";
import {
  draftSnapshot,
  findVersionDocument,
  findWorkflow,
  getWorkflow,
  insertVersion,
  insertWorkflow,
  latestVersion,
  listVersionRows,
  renameWorkflowDraft,
  softDeleteWorkflow,
  updateDraftIfRevision,
  type VersionView,
  type WorkflowRow,
} from "@/lib/db/workflows";
import { contentHash, isUniqueViolation } from "@/lib/db/workflows-store";
import { getTemplate } from "@/lib/templates";
import { migrateWorkflow } from "@/lib/workflow/validate";
import type { Scope } from "../scope";
import { removeSchedule, syncScheduleOnPublish } from "../triggers/schedules";
import {
  documentColumns,
  documentProblems,
  exportableDocument,
  parseDraft,
  requireCredentials,
  requireValid,
} from "./document";

export type SaveResult =
  | { status: "saved"; revision: number; updatedAt: Date }
  | { status: "conflict"; revision: number; updatedAt: Date; updatedBy: string | null };

/** A live workflow of the scope's workspace; not_found:workflow otherwise. */
export async function requireWorkflow(db: DbOrTx, workspaceId: string, id: string): Promise<WorkflowRow> {
  const wf = await findWorkflow(db, workspaceId, id);
  if (!wf) throw new AppError("not_found:workflow");
  return wf;
}

async function addWorkflow(
  db: Db,
  scope: Scope,
  document: Record<string, unknown>,
  action: string,
  summary: string,
): Promise<{ id: string; name: string }> {
  return transaction(db, async (tx) => {
    const wf = await insertWorkflow(tx, {
      workspaceId: scope.workspaceId,
      userId: scope.userId ?? null,
      ...documentColumns(document),
      draft: document,
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
  return addWorkflow(db, scope, document, "workflow.created", input.templateId ? "Created from template" : "Created");
}

export async function duplicateWorkflow(db: Db, scope: Scope, id: string): Promise<{ id: string; name: string }> {
  const wf = await requireWorkflow(db, scope.workspaceId, id);
  const document = structuredClone(wf.draft);
  document.name = `Copy of ${wf.name}`.slice(0, 200);
  return addWorkflow(db, scope, document, "workflow.created", "Duplicated");
}

/** Renames the workflow and its draft document (a new draft revision). */
export async function renameWorkflow(db: Db, scope: Scope, id: string, name: string): Promise<{ revision: number }> {
  const clean = name.trim();
  if (!clean) throw new AppError("invalid:workflow", { fieldErrors: [{ path: "name", message: "Name is required" }] });
  if (clean.length > 200) {
    throw new AppError("invalid:workflow", { fieldErrors: [{ path: "name", message: "At most 200 characters" }] });
  }
  return transaction(db, async (tx) => {
    const wf = await requireWorkflow(tx, scope.workspaceId, id);
    const renamed = await renameWorkflowDraft(tx, {
      id,
      name: clean,
      draft: { ...wf.draft, name: clean },
      userId: scope.userId ?? null,
    });
    await recordAudit(tx, {
      workspaceId: scope.workspaceId,
      actor: scope.actor,
      action: "workflow.renamed",
      targetType: "workflow",
      targetId: id,
      summary: `Renamed “${wf.name}” to “${clean}”`,
    });
    return renamed;
  });
}

export async function deleteWorkflow(db: Db, scope: Scope, id: string): Promise<void> {
  await transaction(db, async (tx) => {
    const wf = await requireWorkflow(tx, scope.workspaceId, id);
    await softDeleteWorkflow(tx, { id, userId: scope.userId ?? null });
    await removeSchedule(tx, id);
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
  const problems = documentProblems(document);
  if (problems.length > 0) {
    throw new AppError("invalid:document", {
      message: `The document has ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was imported.`,
      fieldErrors: problems,
    });
  }
  // Credentials are bound by name: every one the document uses must exist in this workspace.
  requireCredentials(document, await credentialNames(db, scope.workspaceId));
  // Older node configs are stored migrated, so the draft is current from the first save on.
  const current = migrateWorkflow(document) as Record<string, unknown>;
  return addWorkflow(db, scope, current, "workflow.imported", "Imported");
}

/**
 * The draft (or one published version) as a portable document: credentials named, never their
 * values; literal secrets masked; `options.redact` (the workspace's secret values) applied.
 */
export async function exportWorkflow(
  db: Db,
  workspaceId: string,
  id: string,
  version?: number,
  options: { redact?: <V>(value: V) => V } = {},
): Promise<Record<string, unknown>> {
  const wf = await requireWorkflow(db, workspaceId, id);
  let document = wf.draft;
  if (version !== undefined) {
    const v = await findVersionDocument(db, workspaceId, id, version);
    if (!v) throw new AppError("not_found:version");
    document = v;
  }
  return exportableDocument(document, options.redact);
}

/**
 * Saves the draft if nobody saved since `baseRevision`; otherwise reports the newer revision
 * and who saved it, and changes nothing. Never overwrites silently.
 */
export async function saveDraft(
  db: DbOrTx,
  scope: Scope,
  input: { id: string; baseRevision: number; document: unknown },
): Promise<SaveResult> {
  const document = parseDraft(input.document);
  const result = await transaction(db, (tx) =>
    updateDraftIfRevision(tx, {
      workspaceId: scope.workspaceId,
      id: input.id,
      baseRevision: input.baseRevision,
      draft: document,
      ...documentColumns(document),
      userId: scope.userId ?? null,
    }),
  );
  if (result.status === "missing") throw new AppError("not_found:workflow");
  return result;
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
      return await transaction(db, async (tx) => {
        const wf = await requireWorkflow(tx, scope.workspaceId, input.id);
        if (input.baseRevision !== undefined && wf.draftRevision !== input.baseRevision) {
          throw new AppError("conflict:workflow", {
            message: "The draft changed since you opened it. Reload to publish the newest draft.",
          });
        }
        requireValid(wf.draft, "before publishing");
        const hash = contentHash(wf.draft);
        const last = await latestVersion(tx, wf.id);
        if (last && last.contentHash === hash) return { version: last.version, versionId: last.id, created: false };
        const version = (last?.version ?? 0) + 1;
        const created = await insertVersion(tx, {
          workspaceId: scope.workspaceId,
          workflowId: wf.id,
          version,
          document: wf.draft,
          contentHash: hash,
          userId: scope.userId ?? null,
          note: (input.note ?? "").slice(0, 500),
        });
        // a schedule trigger fires from the published version: create, update or remove its schedule
        await syncScheduleOnPublish(tx, { workspaceId: scope.workspaceId, workflowId: wf.id, document: wf.draft });
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
  return listVersionRows(db, workspaceId, id);
}

export async function getVersionDocument(
  db: Db,
  workspaceId: string,
  id: string,
  version: number,
): Promise<Record<string, unknown>> {
  await requireWorkflow(db, workspaceId, id);
  const document = await findVersionDocument(db, workspaceId, id, version);
  if (!document) throw new AppError("not_found:version");
  return document;
}

/** Makes a published version the draft again (a new draft revision; revision-checked like a save). */
export async function restoreVersion(
  db: Db,
  scope: Scope,
  input: { id: string; version: number; baseRevision: number },
): Promise<SaveResult> {
  const document = await getVersionDocument(db, scope.workspaceId, input.id, input.version);
  return transaction(db, async (tx) => {
    const result = await saveDraft(tx, scope, { id: input.id, baseRevision: input.baseRevision, document });
    if (result.status === "saved") {
      await recordAudit(tx, {
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
  });
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
  return addWorkflow(db, scope, document, "workflow.created", "Saved a conflicting draft as a copy");
}

/** The editor's reload after a conflict: the current draft, its revision and who saved it last. */
export async function getDraft(
  db: Db,
  workspaceId: string,
  id: string,
): Promise<{ draft: Record<string, unknown>; revision: number; updatedBy: string | null; updatedAt: string }> {
  const wf = await getWorkflow(db, workspaceId, id);
  if (!wf) throw new AppError("not_found:workflow");
  return {
    draft: wf.draft,
    revision: wf.draftRevision,
    updatedBy: wf.updatedBy,
    updatedAt: wf.updatedAt.toISOString(),
  };
}

/**
 * The immutable version a run from the editor is pinned to: the latest published version when the
 * draft equals it, else a snapshot of the draft (a "draft run": numbered -1, -2, …, reused while
 * the draft does not change). Running never publishes: webhooks, schedules and the API keep
 * running the published version. Refused while the draft has problems, like publishing.
 */
export async function pinDraftForRun(
  db: Db,
  scope: Scope,
  id: string,
): Promise<{ versionId: string; version: number; document: Record<string, unknown>; created: boolean }> {
  const wf = await requireWorkflow(db, scope.workspaceId, id);
  requireValid(wf.draft, "in the checklist before running");
  const hash = contentHash(wf.draft);
  const same = await latestVersion(db, id, { contentHash: hash });
  if (same) return { versionId: same.id, version: same.version, document: wf.draft, created: false };
  for (let attempt = 1; ; attempt++) {
    try {
      const snapshot = await draftSnapshot(db, {
        workspaceId: scope.workspaceId,
        workflowId: id,
        document: wf.draft,
        contentHash: hash,
        userId: scope.userId ?? null,
      });
      return { versionId: snapshot.id, version: snapshot.version, document: wf.draft, created: snapshot.created };
    } catch (error) {
      // two draft runs at once took the same number: the next attempt reuses or renumbers
      if (attempt < 5 && isUniqueViolation(error)) continue;
      throw error;
    }
  }
}
