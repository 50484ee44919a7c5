// What Settings → Models holds once an admin has configured a provider, seeded for e2e specs in
// the e2e server's database (SWITCHBOARD_DATA_DIR / DATABASE_URL of the caller), in the seeded Acme
// workspace: an OpenAI-compatible provider `name` at `baseUrl`, its host on the workspace's egress
// allow-list (it is on 127.0.0.1) and its model list. `more` adds what one spec needs besides.
import { createHost } from "../../lib/host";
import { addProvider, allowEgressHost, refreshProviderModels } from "../../lib/use-cases/models";

type Host = Awaited<ReturnType<typeof createHost>>;
type Caller = Parameters<typeof addProvider>[1];

export async function seedProvider(
  baseUrl: string,
  name: string,
  more?: (platform: Host["platform"], caller: Caller) => Promise<unknown>,
): Promise<{ provider: string; models: Awaited<ReturnType<typeof refreshProviderModels>>["models"] }> {
  const host = await createHost({ role: "cli", seed: false, log: () => {} });
  try {
    const admin = await host.db.prisma.user.findUniqueOrThrow({
      where: { email: "admin@acme.test" },
      select: { memberships: { select: { workspaceId: true } } },
    });
    const caller = { workspaceId: admin.memberships[0]!.workspaceId, actor: { label: "e2e seed" } };
    await allowEgressHost(host.platform, caller, { host: new URL(baseUrl).host });
    await addProvider(host.platform, caller, { name, kind: "openai-compatible", baseUrl });
    const { models } = await refreshProviderModels(host.platform, caller, { name });
    await more?.(host.platform, caller);
    return { provider: name, models };
  } finally {
    await host.close();
  }
}
