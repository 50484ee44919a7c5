"use server";
// Workflow server actions: thin wrappers over lib/db/workflows through authedAction (session,
// zod input, workspace ownership, role). Run start/cancel live in ./run-actions.ts.
import { z } from "zod";
import type { Actor } from "@/lib/auth/policy";
import type { Db } from "@/lib/db/client";
import {
  createWorkflow,
  deleteWorkflow,
  documentProblems,
  duplicateWorkflow,
  exportWorkflow,
  getVersionDocument,
  getWorkflow,
  importWorkflow,
  listVersions,
  publishWorkflow,
  renameWorkflow,
  restoreVersion,
  type Scope,
  saveDraft,
  saveDraftAsCopy,
} from "@/lib/db/workflows";
import { authedAction } from "@/lib/server/action";
import { AppError } from "@/lib/server/errors";

const Id = z.string().min(1).max(100);

const loadWorkflow = async (input: { id: string }, db: Db) =>
  db.prisma.workflow.findFirst({ where: { id: input.id, deletedAt: null }, select: { workspaceId: true } });

const scopeOf = (actor: Actor): Scope => ({ workspaceId: actor.workspaceId, userId: actor.userId, actor });

export const createWorkflowAction = authedAction(
  {
    action: "workflow.create",
    input: z.object({ name: z.string().max(200).optional(), templateId: z.string().max(100).optional() }),
  },
  async ({ actor, input, db }) => createWorkflow(db, scopeOf(actor), input),
);

export const duplicateWorkflowAction = authedAction(
  { action: "workflow.create", input: z.object({ id: Id }), resource: loadWorkflow },
  async ({ actor, input, db }) => duplicateWorkflow(db, scopeOf(actor), input.id),
);

export const renameWorkflowAction = authedAction(
  {
    action: "workflow.update",
    input: z.object({ id: Id, name: z.string().trim().min(1).max(200) }),
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => renameWorkflow(db, scopeOf(actor), input.id, input.name),
);

export const deleteWorkflowAction = authedAction(
  { action: "workflow.delete", input: z.object({ id: Id }), resource: loadWorkflow },
  async ({ actor, input, db }) => {
    await deleteWorkflow(db, scopeOf(actor), input.id);
    return { deleted: true };
  },
);

export const importWorkflowAction = authedAction(
  { action: "workflow.import", input: z.object({ text: z.string().max(5_000_000) }) },
  async ({ actor, input, db }) => importWorkflow(db, scopeOf(actor), input.text),
);

export const exportWorkflowAction = authedAction(
  {
    action: "workflow.export",
    input: z.object({ id: Id, version: z.number().int().min(1).optional() }),
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => {
    const document = await exportWorkflow(db, actor.workspaceId, input.id, input.version);
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
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => {
    const result = await saveDraft(db, scopeOf(actor), input);
    return { ...result, updatedAt: result.updatedAt.toISOString() };
  },
);

export const checkDraftAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id, document: z.unknown() }), resource: loadWorkflow },
  async ({ input }) => documentProblems(input.document),
);

export const publishWorkflowAction = authedAction(
  {
    action: "workflow.publish",
    input: z.object({ id: Id, baseRevision: z.number().int().min(0).optional(), note: z.string().max(500).optional() }),
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => publishWorkflow(db, scopeOf(actor), input),
);

export const listVersionsAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id }), resource: loadWorkflow },
  async ({ actor, input, db }) =>
    (await listVersions(db, actor.workspaceId, input.id)).map((v) => ({ ...v, createdAt: v.createdAt.toISOString() })),
);

export const getVersionAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id, version: z.number().int().min(1) }), resource: loadWorkflow },
  async ({ actor, input, db }) => getVersionDocument(db, actor.workspaceId, input.id, input.version),
);

export const restoreVersionAction = authedAction(
  {
    action: "workflow.update",
    input: z.object({ id: Id, version: z.number().int().min(1), baseRevision: z.number().int().min(0) }),
    resource: loadWorkflow,
  },
  async ({ actor, input, db }) => {
    const result = await restoreVersion(db, scopeOf(actor), input);
    return { ...result, updatedAt: result.updatedAt.toISOString() };
  },
);

export const getDraftAction = authedAction(
  { action: "workflow.read", input: z.object({ id: Id }), resource: loadWorkflow },
  async ({ actor, input, db }) => {
    const wf = await getWorkflow(db, actor.workspaceId, input.id);
    if (!wf) throw new AppError("not_found:workflow");
    return {
      draft: wf.draft,
      revision: wf.draftRevision,
      updatedBy: wf.updatedBy,
      updatedAt: wf.updatedAt.toISOString(),
    };
  },
);

export const saveAsCopyAction = authedAction(
  { action: "workflow.create", input: z.object({ id: Id, document: z.unknown() }), resource: loadWorkflow },
  async ({ actor, input, db }) => saveDraftAsCopy(db, scopeOf(actor), input),
);
