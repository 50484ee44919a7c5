// The workflow editor page: loads the draft on the server, then the client editor takes over.
// `?run=<runId>` opens that run's live view: the run must belong to this workflow and workspace.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { z } from "zod";
import { EditorClient } from "@/components/canvas/editor-client";
import { can } from "@/lib/auth/policy";
import type { WorkflowDoc } from "@/lib/canvas/types";
import { listMembers } from "@/lib/db/users";
import { getWorkflow, getWorkflowRun } from "@/lib/db/workflows";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { listServers } from "@/lib/use-cases/mcp";
import { listCredentials, listModelChoices } from "@/lib/use-cases/models";
import { maskSecretLiterals } from "@/lib/workflow/secret-literals";

export const dynamic = "force-dynamic";

const RunParam = z.string().min(1).max(100);

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const actor = await requirePageActor(`/workflows/${id}`);
  const wf = await getWorkflow(await serverContext().db(), actor.workspaceId, id);
  return { title: wf?.name ?? "Workflow" };
}

export default async function WorkflowEditorPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const sp = await searchParams;
  const requestedRun = RunParam.safeParse(sp.run);
  const actor = await requirePageActor(
    requestedRun.success ? `/workflows/${id}?run=${encodeURIComponent(requestedRun.data)}` : `/workflows/${id}`,
  );
  const db = await serverContext().db();
  const wf = await getWorkflow(db, actor.workspaceId, id);
  if (!wf) notFound();
  const scope = { workspaceId: actor.workspaceId };
  const run =
    requestedRun.success && can(actor, "run.read", scope)
      ? await getWorkflowRun(db, actor.workspaceId, wf.id, requestedRun.data)
      : null;
  const canEdit = can(actor, "workflow.update", scope);
  // People who cannot edit see secrets typed into headers or URLs masked, and the workspace's
  // credential values redacted, in the HTML too.
  let draft = wf.draft;
  if (!canEdit) {
    const { platform } = await serverContext().host();
    await platform.redaction.prepare(actor.workspaceId);
    draft = platform.redaction.redact(actor.workspaceId, maskSecretLiterals(wf.draft));
  }
  // The panels' choices, read at once (no request waits on another; nothing calls out):
  // the agent panel's provider and model lists, the tool node's and agents' MCP pickers (servers
  // and their stored tool lists), and an approval's "Who decides" (roles that can decide —
  // viewers never can — and the members who can).
  const [modelChoices, mcpServers, members, credentials] = await Promise.all([
    canEdit
      ? serverContext()
          .host()
          .then((h) => listModelChoices(h.platform, actor.workspaceId))
          .catch(() => null)
      : null,
    can(actor, "mcp.read", scope) ? listServers(db, actor).catch(() => null) : null,
    canEdit && can(actor, "member.read", scope) ? listMembers(db, actor.workspaceId).catch(() => []) : null,
    // the http node's credential picker: names, kinds and fields (never values)
    canEdit && can(actor, "credential.read", scope)
      ? serverContext()
          .host()
          .then((h) => listCredentials(h.platform, actor.workspaceId))
          .then((list) => list.map((c) => ({ name: c.name, kind: c.kind, field: c.field })))
          .catch(() => null)
      : null,
  ]);
  const people = members
    ? {
        roles: ["approver", "editor", "admin"],
        members: members
          .filter((m) => m.role !== "viewer")
          .map((m) => ({ id: m.userId, name: m.name, email: m.email, role: m.role })),
      }
    : null;
  return (
    <EditorClient
      key={wf.id}
      workflow={{
        id: wf.id,
        name: wf.name,
        draft: draft as unknown as WorkflowDoc,
        draftRevision: wf.draftRevision,
        latestVersion: wf.latestVersion,
      }}
      run={run}
      runMissing={sp.run !== undefined && !run}
      canEdit={canEdit}
      modelChoices={modelChoices}
      mcpServers={mcpServers}
      people={people}
      credentials={credentials}
      canPublish={can(actor, "workflow.publish", scope)}
      canRun={can(actor, "run.start", scope)}
    />
  );
}
