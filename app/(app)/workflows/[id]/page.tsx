// The workflow editor page: loads the draft on the server, then the client editor takes over.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { EditorClient } from "@/components/canvas/editor-client";
import { can } from "@/lib/auth/policy";
import type { WorkflowDoc } from "@/lib/canvas/types";
import { getDb } from "@/lib/db/client";
import { getWorkflow } from "@/lib/db/workflows";
import { requirePageActor } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const { id } = await params;
  const actor = await requirePageActor(`/workflows/${id}`);
  const wf = await getWorkflow(await getDb(), actor.workspaceId, id);
  return { title: `${wf?.name ?? "Workflow"} · Switchboard` };
}

export default async function WorkflowEditorPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePageActor(`/workflows/${id}`);
  const wf = await getWorkflow(await getDb(), actor.workspaceId, id);
  if (!wf) notFound();
  const scope = { workspaceId: actor.workspaceId };
  return (
    <EditorClient
      key={wf.id}
      workflow={{
        id: wf.id,
        name: wf.name,
        draft: wf.draft as unknown as WorkflowDoc,
        draftRevision: wf.draftRevision,
        latestVersion: wf.latestVersion,
      }}
      canEdit={can(actor, "workflow.update", scope)}
      canPublish={can(actor, "workflow.publish", scope)}
      canRun={can(actor, "run.start", scope)}
    />
  );
}
