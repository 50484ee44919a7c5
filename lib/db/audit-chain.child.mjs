// A second process for audit-chain.test.ts: appends audit entries to the same database while the
// test (and another copy of this script) does too. Usage: node audit-chain.child.mjs <target JSON> <workspaceId> <count>
import { register } from "tsx/esm/api";

const root = new URL("../../", import.meta.url);
register({ tsconfig: new URL("tsconfig.json", root).pathname });
const { openDb } = await import(new URL("lib/db/client.ts", root).href);
const { recordAudit } = await import(new URL("lib/db/audit.ts", root).href);

const [target, workspaceId, count] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4])];
const db = await openDb(target);
for (let i = 0; i < count; i++)
  await recordAudit(db, {
    workspaceId,
    actor: { label: `process ${process.pid}` },
    action: "run.started",
    targetType: "run",
    targetId: `p${process.pid}-${i}`,
    summary: `from process ${process.pid}`,
  });
await db.close();
process.exit(0);
