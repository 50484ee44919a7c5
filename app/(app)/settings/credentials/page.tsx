// Settings → Credentials (admins only): named secrets for http nodes and model providers. Values
// are sealed in the vault and never shown again: the page lists names, kinds and when each was
// last used.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { listCredentials } from "@/lib/use-cases/models";
import { SettingsNav } from "../settings-nav";
import { CredentialsSection } from "./credentials-section";

export const metadata: Metadata = { title: "Credentials · Settings" };
export const dynamic = "force-dynamic";

export default async function CredentialsSettingsPage() {
  const actor = await requirePageActor("/settings/credentials");
  if (!can(actor, "credential.manage")) notFound();
  const { platform } = await serverContext().host();
  const credentials = await listCredentials(platform, actor.workspaceId);
  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description="Secrets your workflows and model providers use. Values are encrypted and never shown again."
      />
      <SettingsNav current="/settings/credentials" />
      <CredentialsSection credentials={credentials} />
    </PageBody>
  );
}
