import { openDb } from "../lib/db/client";
import * as D from "../lib/db/dashboard";
const file = process.argv[2] ?? "/tmp/sbh/bench.db";
const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
const ws = (await db.prisma.workspace.findFirstOrThrow()).id;
const to = new Date(); const from = new Date(to.getTime() - 30 * 86400000);
const r = { from, to };
const fns: Record<string, () => Promise<unknown>> = {
  runGroups: () => D.getRunGroups(db, ws, r), stepGroups: () => D.getStepGroups(db, ws, r), byUser: () => D.getByUser(db, ws, r),
  approvals: () => D.getApprovalStats(db, ws, r), pct: () => D.durationPercentiles(db, ws, r, [0.5, 0.95]), all: () => D.getDashboard(db, ws, r) };
for (const [name, fn] of Object.entries(fns)) {
  const t = performance.now(); await fn(); const t2 = performance.now(); await fn();
  console.log(name, Math.round(t2 - t), Math.round(performance.now() - t2));
}
await db.close();
