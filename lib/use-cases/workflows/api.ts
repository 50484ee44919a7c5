// Workflows as the REST API and the CLI see them: list and read (dates as ISO text), export
// (secrets redacted), import (optionally publishing the new workflow at once).
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import type { SecretRedaction } from "@/lib/contracts/ports/redaction";
import type { Db } from "@/lib/db/client";
import { getWorkflow, listWorkflows, type WorkflowListItem } from "@/lib/db/workflows";
import type { Scope } from "../scope";
import { exportWorkflow, importWorkflow, publishWorkflow } from "./workflows";

function summaryJson(w: WorkflowListItem) {
  return {
    id: w.id,
    name: w.name,
    description: w.description,
    createdAt: w.createdAt.toISOString(),
    updatedAt: w.updatedAt.toISOString(),
    updatedBy: w.updatedBy,
    draftRevision: w.draftRevision,
    latestVersion: w.latestVersion,
    nodeCount: w.nodeCount,
  };
}

export async function listWorkflowsJson(db: Db, workspaceId: string, input: { q?: string; limit?: number }) {
  const items = await listWorkflows(db, workspaceId, { q: input.q, limit: input.limit });
  return { workflows: items.map(summaryJson) };
}

export async function getWorkflowJson(db: Db, workspaceId: string, id: string) {
  const wf = await getWorkflow(db, workspaceId, id);
  if (!wf) throw new AppError("not_found:workflow");
  return { workflow: { ...summaryJson(wf), draft: wf.draft } };
}

/** The document to import elsewhere: credentials by name, the workspace's secret values redacted. */
export async function exportWorkflowRedacted(
  deps: { db: Db; redaction: SecretRedaction },
  actor: Actor,
  id: string,
  version?: number,
): Promise<Record<string, unknown>> {
  await deps.redaction.prepare(actor.workspaceId);
  return exportWorkflow(deps.db, actor.workspaceId, id, version, {
    redact: (value) => deps.redaction.redact(actor.workspaceId, value),
  });
}

/** Imports a document as a new workflow; with `publish`, publishes its first version too. */
export async function importWorkflowAndPublish(
  db: Db,
  scope: Scope,
  input: { document: unknown; publish?: boolean },
): Promise<{ id: string; name: string; version: number | null }> {
  const imported = await importWorkflow(db, scope, input.document);
  if (!input.publish) return { ...imported, version: null };
  const published = await publishWorkflow(db, scope, { id: imported.id, note: "Imported" });
  return { ...imported, version: published.version };
}

export async function publishWorkflowJson(db: Db, scope: Scope, input: { id: string; note?: string }) {
  const published = await publishWorkflow(db, scope, input);
  return { id: input.id, version: published.version, created: published.created };
}
