// Seeds what an admin would configure in Settings → Models for e2e/agents.spec.ts, in the e2e
// server's database (SWITCHBOARD_DATA_DIR / DATABASE_URL of the caller), in the seeded Acme
// workspace: an OpenAI-compatible provider named "fake" at the given base URL, its host on the
// workspace's egress allow-list (it is on 127.0.0.1), its model list, and a price for fake-ok.
//   npx tsx e2e/support/agents-seed.ts http://127.0.0.1:PORT/v1
import { setPrice } from "../../lib/use-cases/models";
import { seedProvider } from "./provider-seed";

const [baseUrl] = process.argv.slice(2);
if (!baseUrl) {
  console.error("usage: agents-seed.ts <openai-compatible base URL>");
  process.exit(2);
}
const seeded = await seedProvider(baseUrl, "fake", (platform, caller) =>
  setPrice(platform, caller, { model: "fake:fake-ok", inputPerMTok: 2, outputPerMTok: 8 }),
);
console.log(JSON.stringify(seeded));
