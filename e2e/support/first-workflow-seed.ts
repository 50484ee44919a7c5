// Seeds what an admin would have configured before a first workflow (Settings → Models): an
// OpenAI-compatible provider, named by the caller, at the fake provider's base URL, its host on
// the workspace's egress allow-list (it is on 127.0.0.1) and its model list. For
// e2e/first-workflow.spec.ts; its own provider name so it can share a server with agents.spec.ts.
//   npx tsx e2e/support/first-workflow-seed.ts http://127.0.0.1:PORT/v1 NAME
import { seedProvider } from "./provider-seed";

const [baseUrl, name] = process.argv.slice(2);
if (!baseUrl || !name) {
  console.error("usage: first-workflow-seed.ts <openai-compatible base URL> <provider name>");
  process.exit(2);
}
console.log(JSON.stringify(await seedProvider(baseUrl, name)));
