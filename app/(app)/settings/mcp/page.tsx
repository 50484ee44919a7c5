import type { Metadata } from "next";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { listServers } from "@/lib/use-cases/mcp";
import { SettingsNav } from "../settings-nav";
import { McpServersSection } from "./mcp-servers-section";

export const metadata: Metadata = { title: "MCP servers" };
export const dynamic = "force-dynamic";

export default async function McpServersPage() {
  const actor = await requirePageActor("/settings/mcp");
  const canRead = can(actor, "mcp.read");
  const canManage = can(actor, "mcp.manage");
  const servers = canRead ? await listServers(await serverContext().db(), actor) : [];
  return (
    <PageBody>
      <PageHeader
        title="MCP servers"
        description={
          canManage
            ? "Tools from other systems for MCP tool steps and agents. Nothing connects to a server until a run reaches a step that uses it, or you ask it for its tools."
            : "Tools from other systems for MCP tool steps and agents. Only administrators add or change servers."
        }
      />
      <SettingsNav current="/settings/mcp" admin={can(actor, "settings.manage")} />
      {canRead ? (
        <McpServersSection servers={servers} canManage={canManage} />
      ) : (
        <p className="text-sm text-slate-600">Editors and administrators see the workspace's MCP servers.</p>
      )}
    </PageBody>
  );
}
