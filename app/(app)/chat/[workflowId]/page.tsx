// /chat/<workflowId> — a page to chat with a published workflow whose trigger is `chat`, for
// signed-in members whose role may start runs. Each message is a turn through
// POST /api/v1/workflows/<id>/chat (docs/triggers.md, Chat): a run of the latest published version.
import type { Metadata } from "next";
import Link from "next/link";
import { ChatWindow } from "@/components/chat/chat-window";
import { Forbidden } from "@/components/shell/forbidden";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { can } from "@/lib/auth/policy";
import { loadPublishedVersion } from "@/lib/db/workflows-store";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { webhookTriggerOf } from "@/lib/use-cases/triggers/webhooks";

export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: "Chat" };

export default async function ChatPage({ params }: { params: Promise<{ workflowId: string }> }) {
  const { workflowId } = await params;
  const actor = await requirePageActor(`/chat/${encodeURIComponent(workflowId)}`);
  if (!can(actor, "run.start")) return <Forbidden what="chats (they start runs)" />;
  const db = await serverContext().db();
  const published = await loadPublishedVersion(db, actor.workspaceId, workflowId, "latest");
  if (!published || !webhookTriggerOf(published.document, "chat"))
    return (
      <PageBody>
        <EmptyState
          headingLevel={1}
          title="No chat here"
          description="This workflow does not exist, has no published version, or its published trigger is not chat. Set the trigger to chat and publish."
        />
      </PageBody>
    );
  const name = (published.document as { name?: string }).name ?? workflowId;
  return (
    <PageBody>
      <PageHeader
        title={`Chat: ${name}`}
        description={`Version ${published.version}. Each message starts a run with the conversation as input; the reply streams as the agent writes it.`}
        actions={
          <Link
            href={`/workflows/${encodeURIComponent(published.workflowId)}`}
            className="text-sm text-blue-700 underline"
          >
            Open the workflow
          </Link>
        }
      />
      <div className="mt-4 max-w-3xl">
        <ChatWindow workflowId={published.workflowId} />
      </div>
    </PageBody>
  );
}
