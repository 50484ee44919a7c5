// Seeds waiting runs for e2e/inbox.spec.ts through the real engine, in the e2e server's database
// (SWITCHBOARD_DATA_DIR / DATABASE_URL of the caller), in the seeded Acme workspace:
//   npx tsx e2e/support/inbox-seed.ts e2e/fixtures/inbox-refund.json '[{"customer":"Ann","amount":120}]'
// Prints one JSON line: [{ runId, approvalId, workflowId, workspaceId, approverUserId, title }].
import { readFileSync } from "node:fs";
import { openDb } from "../../lib/db/client";
import { pinDocumentVersion } from "../../lib/db/workflows-store";
import { createRuntime } from "../../lib/runtime/engine";

const [fixture, inputsJson] = process.argv.slice(2);
if (!fixture || !inputsJson) {
  console.error("usage: inbox-seed.ts <workflow.json> '<json array of inputs>'");
  process.exit(2);
}
const document = JSON.parse(readFileSync(fixture, "utf8"));
const inputs = JSON.parse(inputsJson) as unknown[];
const db = await openDb();
const admin = await db.prisma.user.findUniqueOrThrow({
  where: { email: "admin@acme.test" },
  select: { id: true, memberships: { select: { workspaceId: true } } },
});
const workspaceId = admin.memberships[0]!.workspaceId;
const pinned = await pinDocumentVersion(db, { workspaceId, document, userId: admin.id, note: "e2e inbox seed" });
const runtime = createRuntime(db, { role: "cli" });
const approver = await db.prisma.user.findUnique({ where: { email: "approver@acme.test" }, select: { id: true } });
const out = [];
for (const input of inputs) {
  const result = await runtime.engine.execute(
    { document, workspaceId, workflowId: pinned.workflowId, workflowVersionId: pinned.workflowVersionId },
    input,
    { trigger: "cli" },
  );
  if (result.status !== "waiting")
    throw new Error(`expected the run to wait, got ${result.status}: ${JSON.stringify(result.error)}`);
  const approval = await db.prisma.approval.findFirstOrThrow({
    where: { runId: result.runId },
    select: { id: true, title: true },
  });
  out.push({
    runId: result.runId,
    approvalId: approval.id,
    workflowId: pinned.workflowId,
    workspaceId,
    approverUserId: approver?.id ?? null,
    title: approval.title,
  });
}
await runtime.close();
await db.close();
console.log(JSON.stringify(out));
