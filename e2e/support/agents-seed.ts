// Seeds what an admin would configure in Settings → Models for e2e/agents.spec.ts, in the e2e
// server's database (SWITCHBOARD_DATA_DIR / DATABASE_URL of the caller), in the seeded Acme
// workspace: an OpenAI-compatible provider named "fake" at the given base URL, its host on the
// workspace's egress allow-list (it is on 127.0.0.1), its model list, and a price for fake-ok.
//   npx tsx e2e/support/agents-seed.ts http://127.0.0.1:PORT/v1
import { createHost } from "../../lib/host";
import { addProvider, allowEgressHost, refreshProviderModels, setPrice } from "../../lib/use-cases/models";

const [baseUrl] = process.argv.slice(2);
if (!baseUrl) {
  console.error("usage: agents-seed.ts <openai-compatible base URL>");
  process.exit(2);
}
const host = await createHost({ role: "cli", seed: false, log: () => {} });
try {
  const admin = await host.db.prisma.user.findUniqueOrThrow({
    where: { email: "admin@acme.test" },
    select: { memberships: { select: { workspaceId: true } } },
  });
  const caller = { workspaceId: admin.memberships[0]!.workspaceId, actor: { label: "e2e seed" } };
  await allowEgressHost(host.platform, caller, { host: new URL(baseUrl).host });
  await addProvider(host.platform, caller, { name: "fake", kind: "openai-compatible", baseUrl });
  const { models } = await refreshProviderModels(host.platform, caller, { name: "fake" });
  await setPrice(host.platform, caller, { model: "fake:fake-ok", inputPerMTok: 2, outputPerMTok: 8 });
  console.log(JSON.stringify({ provider: "fake", models }));
} finally {
  await host.close();
}
