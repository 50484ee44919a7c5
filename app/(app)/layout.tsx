import type { ReactNode } from "react";
import { AppShell } from "@/components/shell/app-shell";
import { countInboxFor } from "@/lib/db/inbox-count";
import { getWorkspace } from "@/lib/db/workspaces";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";

// Every page under (app) needs a session: checked here on the server, on every request
// (never left to proxy.ts alone). Pages still check their own action with can().
export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const actor = await requirePageActor();
  const db = await serverContext().db();
  const [workspace, inboxCount] = await Promise.all([getWorkspace(db, actor.workspaceId), countInboxFor(db, actor)]);
  return (
    <AppShell actor={actor} workspaceName={workspace.name} inboxCount={inboxCount}>
      {children}
    </AppShell>
  );
}
