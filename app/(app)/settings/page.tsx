import type { Metadata } from "next";
import Link from "next/link";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { buttonClass } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/password";
import { can } from "@/lib/auth/policy";
import { ROLE_DESCRIPTIONS, ROLE_LABELS, ROLES } from "@/lib/auth/roles";
import { listApiKeys } from "@/lib/db/api-keys";
import { listOpenInvitations } from "@/lib/db/invitations";
import { retentionDaysOf } from "@/lib/db/retention";
import { separationOfDutiesOf } from "@/lib/db/separation";
import { listMembers } from "@/lib/db/users";
import { getWorkspace, getWorkspaceSettings } from "@/lib/db/workspaces";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { ChangePasswordForm } from "./account-section";
import { ApiKeysSection } from "./api-keys-section";
import { MembersSection } from "./members-section";
import { RetentionForm } from "./retention-form";
import { SeparationOfDutiesForm } from "./separation-form";
import { SettingsNav } from "./settings-nav";
import { WorkspaceNameForm } from "./workspace-name-form";

export const metadata: Metadata = { title: "Settings" };
export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const actor = await requirePageActor("/settings");
  const db = await serverContext().db();
  const canManageSettings = can(actor, "settings.manage");
  const canManageMembers = can(actor, "member.manage");
  const canManageKeys = can(actor, "apikey.manage");
  const [workspace, settings, members, keys, invitations] = await Promise.all([
    getWorkspace(db, actor.workspaceId),
    getWorkspaceSettings(db, actor.workspaceId),
    can(actor, "member.read") ? listMembers(db, actor.workspaceId) : Promise.resolve([]),
    canManageKeys ? listApiKeys(db, actor.workspaceId) : Promise.resolve([]),
    canManageMembers ? listOpenInvitations(db, actor.workspaceId) : Promise.resolve([]),
  ]);

  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description={
          canManageSettings
            ? "Your workspace, who is in it, and the API keys that can act on it."
            : "Your workspace and its members. Only admins can change these."
        }
      />
      <SettingsNav current="/settings" admin={canManageSettings} />
      <div className="space-y-6">
        <Card aria-labelledby="workspace-heading">
          <CardHeader id="workspace-heading" title="Workspace" />
          <WorkspaceNameForm name={workspace.name} canEdit={canManageSettings} />
        </Card>

        <Card aria-label="Run history">
          <CardHeader title="Run history" />
          <RetentionForm retentionDays={retentionDaysOf(settings)} canEdit={canManageSettings} />
        </Card>

        <Card aria-label="Approvals">
          <CardHeader title="Separation of duties" />
          <SeparationOfDutiesForm enabled={separationOfDutiesOf(settings)} canEdit={canManageSettings} />
        </Card>

        <MembersSection
          members={members.map((m) => ({ ...m, joinedAt: m.joinedAt.toISOString() }))}
          invitations={invitations.map((i) => ({
            id: i.id,
            email: i.email,
            role: i.role,
            status: i.status,
            expiresAt: i.expiresAt.toISOString(),
          }))}
          currentUserId={actor.userId}
          canManage={canManageMembers}
        />

        {canManageKeys ? (
          <ApiKeysSection
            keys={keys.map((k) => ({
              ...k,
              createdAt: k.createdAt.toISOString(),
              lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
              revokedAt: k.revokedAt?.toISOString() ?? null,
              expiresAt: k.expiresAt?.toISOString() ?? null,
            }))}
          />
        ) : null}

        {can(actor, "mcp.read") ? (
          <Card aria-labelledby="mcp-heading">
            <CardHeader
              id="mcp-heading"
              title="MCP servers"
              description="Tools from other systems that tool steps and agents can call."
              actions={
                <Link href="/settings/mcp" className={buttonClass("secondary", "sm")}>
                  {can(actor, "mcp.manage") ? "Manage MCP servers" : "View MCP servers"}
                </Link>
              }
            />
          </Card>
        ) : null}

        {actor.via === "session" ? (
          <Card aria-labelledby="account-heading">
            <CardHeader id="account-heading" title="Your account" description={`Signed in as ${actor.email}.`} />
            <ChangePasswordForm minLength={MIN_PASSWORD_LENGTH} />
          </Card>
        ) : null}

        <Card>
          <CardHeader title="Roles" description="What each role can do in this workspace." />
          <dl className="grid gap-3 sm:grid-cols-2">
            {ROLES.map((role) => (
              <div key={role} className="rounded-md bg-slate-50 p-3">
                <dt className="text-sm font-medium text-slate-900">{ROLE_LABELS[role]}</dt>
                <dd className="mt-1 text-sm text-slate-600">{ROLE_DESCRIPTIONS[role]}</dd>
              </div>
            ))}
          </dl>
        </Card>
      </div>
    </PageBody>
  );
}
