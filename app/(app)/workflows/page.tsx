// The workflows list: search, sort, create blank or from a template, duplicate, rename,
// delete, import, export. The list is read on the server; changes go through server actions.
import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { WorkflowList } from "@/components/workflows/workflow-list";
import { can } from "@/lib/auth/policy";
import { listWorkflows } from "@/lib/db/workflows";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { TEMPLATES } from "@/lib/templates";

export const metadata: Metadata = { title: "Workflows" };
export const dynamic = "force-dynamic";

export default async function WorkflowsPage() {
  const actor = await requirePageActor("/workflows");
  const db = await serverContext().db();
  const rows = await listWorkflows(db, actor.workspaceId);
  const scope = { workspaceId: actor.workspaceId };
  return (
    <PageBody>
      <PageHeader
        title="Workflows"
        description="Design agent workflows on a canvas, publish versions, and run them. Start from a template or a blank canvas."
      />
      <WorkflowList
        workflows={rows.map((r) => ({
          id: r.id,
          name: r.name,
          description: r.description,
          updatedAt: r.updatedAt.toISOString(),
          createdAt: r.createdAt.toISOString(),
          updatedBy: r.updatedBy,
          latestVersion: r.latestVersion,
          nodeCount: r.nodeCount,
        }))}
        templates={TEMPLATES.map((t) => ({ id: t.id, name: t.name, description: t.description }))}
        canEdit={can(actor, "workflow.create", scope)}
        canDelete={can(actor, "workflow.delete", scope)}
      />
    </PageBody>
  );
}
