"use server";
// Workflow server actions: one-liners over lib/use-cases/workflows through authedAction
// (session, zod input, workspace ownership, role). Runs from the editor are in ./run-actions.ts.
import { z } from "zod";
import { userText } from "@/lib/contracts/text";
import { ACTION_LARGE_BODY_BYTES, authedAction } from "@/lib/server/action";
import { loadWorkflow } from "@/lib/server/resources";
import { scopeOf } from "@/lib/use-cases/scope";
import {
  createWorkflow,
  deleteWorkflow,
  documentProblems,
  duplicateWorkflow,
  exportWorkflow,
  getDraft,
  importWorkflow,
  listVersions,
  publishWorkflow,
  renameWorkflow,
  restoreVersion,
  saveDraft,
  saveDraftAsCopy,
  versionDocumentFor,
} from "@/lib/use-cases/workflows";

const Id = z.string().min(1).max(100);
const iso = <T extends { updatedAt: Date }>(r: T) => ({ ...r, updatedAt: r.updatedAt.toISOString() });

export const createWorkflowAction = authedAction(
  {
    action: "workflow.create",
    input: z.object({ name: userText().max(200).optional(), templateId: z.string().max(100).optional() }),
  },
  ({ actor, input, db }) => createWorkflow(db, scopeOf(actor), input),
);

export const duplicateWorkflowAction = authedAction(
  { action: "workflow.create", input: z.object({ id: Id }), resource: loadWorkflow },
  ({ actor, input, db }) => duplicateWorkflow(db, scopeOf(actor), input.id),
);

export const renameWorkflowAction = authedAction(
  {
    action: "workflow.update",
    input: z.object({ id: Id, name: userText().trim().min(1).max(200) }),
    resource: loadWorkflow,
  },
  ({ actor, input, db }) => renameWorkflow(db, scopeOf(actor), input.id, input.name),
);

export const deleteWorkflowAction = authedAction(
  { action: "workflow.delete", input: z.object({ id: Id }), resource: loadWorkflow },
  async ({ actor, input, db }) => {
    await deleteWorkflow(db, scopeOf(actor), input.id);
    return { deleted: true };
  },
);

export const importWorkflowAction = authedAction(
  {
    action: "workflow.import",
    input: z.object({ text: z.string().max(5_000_000) }),
    maxBodyBytes: ACTION_LARGE_BODY_BYTES,
  },
  ({ actor, input, db }) => importWorkflow(db, scopeOf(actor), input.text),
);

export const exportWorkflowAction = authedAction(
  {
    action: "workflow.export",
    input: z.object({ id: Id, version: z.number().int().min(1).optional() }),
    resource: loadWorkflow,
  },
  async ({ actor, input, db, host }) => {
    // Credentials leave by name; the workspace's secret values, wherever they were typed, redacted.
    await host.platform.redaction.prepare(actor.workspaceId);
    const document = await exportWorkflow(db, actor.workspaceId, input.id, input.version, {
      redact: (value) => host.platform.redaction.redact(actor.workspaceId, value),
    });
    const slug =
      String(document.name ?? "workflow")
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-|-$/g, "") || "workflow";
    return {
      filename: `${slug}${input.version ? `.v${input.version}` : ""}.json`,
      json: JSON.stringify(document, null, 2),
    };
  },
);

export const saveDraftAction = authedAction(
  {
    action: "workflow.update",
    input: z.object({ id: Id, baseRevision: z.number().int().min(0), document: z.unknown() }),
    maxBodyBytes: ACTION_LARGE_BODY_BYTES,
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => iso(await saveDraft(db, scopeOf(actor), input)),
);

export const checkDraftAction = authedAction(
  {
    action: "workflow.read",
    input: z.object({ id: Id, document: z.unknown() }),
    resource: loadWorkflow,
    maxBodyBytes: ACTION_LARGE_BODY_BYTES,
  },
  async ({ input }) => documentProblems(input.document),
);

export const publishWorkflowAction = authedAction(
  {
    action: "workflow.publish",
    input: z.object({ id: Id, baseRevision: z.number().int().min(0).optional(), note: userText().max(500).optional() }),
    resource: loadWorkflow,
  },
  ({ actor, input, db }) => publishWorkflow(db, scopeOf(actor), input),
);

export const listVersionsAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id }), resource: loadWorkflow },
  async ({ actor, input, db }) =>
    (await listVersions(db, actor.workspaceId, input.id)).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
);

export const getVersionAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id, version: z.number().int().min(1) }), resource: loadWorkflow },
  // masked and redacted for people who cannot edit (viewers, approvers), as the editor page does
  ({ actor, input, db, host }) => versionDocumentFor(db, actor, host.platform.redaction, input.id, input.version),
);

export const restoreVersionAction = authedAction(
  {
    action: "workflow.update",
    input: z.object({ id: Id, version: z.number().int().min(1), baseRevision: z.number().int().min(0) }),
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => iso(await restoreVersion(db, scopeOf(actor), input)),
);

export const getDraftAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id }), resource: loadWorkflow },
  ({ actor, input, db }) => getDraft(db, actor.workspaceId, input.id),
);

export const saveAsCopyAction = authedAction(
  {
    action: "workflow.create",
    input: z.object({ id: Id, document: z.unknown() }),
    resource: loadWorkflow,
    maxBodyBytes: ACTION_LARGE_BODY_BYTES,
  },
  ({ actor, input, db }) => saveDraftAsCopy(db, scopeOf(actor), input),
);
