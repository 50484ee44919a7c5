// Settings → Models (admins only): the workspace's model providers (their keys in the vault,
// shown only as "set · last used …"), a connection test, their models and the price of each.
import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { can } from "@/lib/auth/policy";
import { DEFAULT_BASE_URLS, DEFAULT_MODEL_PRICES, type ProviderKind } from "@/lib/providers";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";
import { listCredentials, listProviders, pricedModels } from "@/lib/use-cases/models";
import { SettingsNav } from "../settings-nav";
import { type ProviderRow, ProvidersSection } from "./providers-section";

export const metadata: Metadata = { title: "Models · Settings" };
export const dynamic = "force-dynamic";

export default async function ModelsSettingsPage() {
  const actor = await requirePageActor("/settings/models");
  if (!can(actor, "settings.manage")) notFound();
  const { platform } = await serverContext().host();
  const [providers, snapshot, credentials] = await Promise.all([
    listProviders(platform, actor.workspaceId),
    platform.snapshot(actor.workspaceId),
    // names and kinds only (a provider may use an existing credential instead of a new key)
    listCredentials(platform, actor.workspaceId),
  ]);
  const rows: ProviderRow[] = providers.map((p) => ({
    ...p,
    prices: pricedModels(p, snapshot.overrides, DEFAULT_MODEL_PRICES[p.kind as ProviderKind]),
  }));
  return (
    <PageBody>
      <PageHeader
        title="Settings"
        description="Model providers agents can use, as PROVIDER:MODEL, and what their tokens cost."
      />
      <SettingsNav current="/settings/models" />
      <ProvidersSection
        providers={rows}
        defaultBaseUrls={DEFAULT_BASE_URLS}
        credentials={credentials.map((c) => ({ name: c.name, kind: c.kind }))}
      />
    </PageBody>
  );
}
