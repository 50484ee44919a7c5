// Seeds e2e/models.spec.ts: in the e2e server's database (SWITCHBOARD_DATA_DIR of the caller, so
// the same vault key), pins a workflow whose first http node calls the fake provider with the
// workspace credential "crm" and a secret typed into a header, and whose second node reads the
// fake provider's recorded requests (which hold the provider key and the credential, as sent).
// Runs it through the real host (egress allow-list, credentials, redaction).
//   npx tsx e2e/support/models-seed.ts http://127.0.0.1:PORT
// Prints one JSON line: { runId, workflowId, status }.
import { pinDocumentVersion } from "../../lib/db/workflows-store";
import { createHost } from "../../lib/host";

const [fakeUrl, literal] = process.argv.slice(2);
if (!fakeUrl || !literal) {
  console.error("usage: models-seed.ts <fake provider url> <literal header secret>");
  process.exit(2);
}
const document = {
  format: "switchboard.workflow/v1",
  name: "CRM sync (e2e secrets)",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    {
      id: "call",
      type: "http",
      name: "Call the CRM",
      config: {
        method: "GET",
        url: `${fakeUrl}/v1/models`,
        credential: "crm",
        headers: { "X-Api-Key": literal },
      },
    },
    {
      id: "read",
      type: "http",
      name: "Read what was sent",
      config: { method: "GET", url: `${fakeUrl}/__fake/requests` },
    },
    { id: "done", type: "end", config: { output: "{{ nodes.read.output.body }}" } },
  ],
  edges: [
    { source: "start", target: "call" },
    { source: "call", target: "read" },
    { source: "call", target: "read", sourceHandle: "error" },
    { source: "read", target: "done" },
  ],
};

const host = await createHost({ role: "cli", log: () => {} });
try {
  const admin = await host.db.prisma.user.findUniqueOrThrow({
    where: { email: "admin@acme.test" },
    select: { id: true, memberships: { select: { workspaceId: true } } },
  });
  const workspaceId = admin.memberships[0]!.workspaceId;
  const pinned = await pinDocumentVersion(host.db, {
    workspaceId,
    document,
    userId: admin.id,
    note: "e2e models seed",
  });
  const result = await host.engine.execute(
    { document, workspaceId, workflowId: pinned.workflowId, workflowVersionId: pinned.workflowVersionId },
    {},
    { trigger: "cli" },
  );
  console.log(
    JSON.stringify({ runId: result.runId, workflowId: pinned.workflowId, status: result.status, error: result.error }),
  );
} finally {
  await host.close();
}
