// Prepares a scale-out deployment's database for e2e/scale-out.spec.ts (the same code paths as the
// app): publishes the given workflow documents in the seeded demo workspace and creates an editor
// API key, then prints JSON `{ workflows: { <name>: <id> }, apiKey }` on its last line.
// Usage: DATABASE_URL=postgres://… npx tsx scripts/scale-out-e2e.ts <documents.json>
//   documents.json: an array of switchboard.workflow/v1 documents (each with a distinct name)
import { readFileSync } from "node:fs";
import { createApiKey } from "../lib/db/api-keys";
import { bootstrap } from "../lib/db/bootstrap";
import { cliWorkspace, pinDocumentVersion } from "../lib/db/workflows-store";
import { validateWorkflow } from "../lib/workflow/validate";

async function main() {
  const file = process.argv[2];
  if (!file) throw new Error("usage: scale-out-e2e.ts <documents.json>");
  const documents = JSON.parse(readFileSync(file, "utf8")) as ({ name: string } & Record<string, unknown>)[];
  const { db } = await bootstrap({ seed: false });
  try {
    const ws = await cliWorkspace(db);
    const workflows: Record<string, string> = {};
    for (const document of documents) {
      const checked = validateWorkflow(document);
      if (!checked.valid)
        throw new Error(`${document.name}: ${checked.issues.map((e) => `${e.path}: ${e.message}`).join("; ")}`);
      const pinned = await pinDocumentVersion(db, { workspaceId: ws.id, document, note: "scale-out e2e" });
      workflows[document.name] = pinned.workflowId;
    }
    const { key } = await createApiKey(db, {
      workspaceId: ws.id,
      name: `scale-out e2e ${Date.now()}`,
      role: "editor",
      createdById: null,
    });
    console.log(JSON.stringify({ workspaceId: ws.id, workflows, apiKey: key }));
  } finally {
    await db.close();
  }
}

await main();
