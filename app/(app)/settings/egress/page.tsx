// Settings → Network egress (admins only): the hosts on private, loopback or link-local addresses
// that this workspace's outbound calls may reach (a local model server, an internal API).
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { getEgress } from "@/lib/use-cases/models";
import { SettingsNav } from "../settings-nav";
import { EgressSection } from "./egress-section";

export const metadata: Metadata = { title: "Network egress · Settings" };
export const dynamic = "force-dynamic";

export default async function EgressSettingsPage() {
  const actor = await requirePageActor("/settings/egress");
  if (!can(actor, "settings.manage")) notFound();
  const { platform } = await serverContext().host();
  const egress = await getEgress(platform, actor.workspaceId);
  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description="Which private hosts workflows, model providers and notification webhooks may call."
      />
      <SettingsNav current="/settings/egress" />
      <EgressSection allowHosts={egress.allowHosts} allowPrivateNetwork={egress.allowPrivateNetwork} />
    </PageBody>
  );
}
