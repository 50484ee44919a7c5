import { openDb } from "../lib/db/client";
import { sqliteTimestamp } from "../lib/db/history-sql";
const file = process.argv[2] ?? "/tmp/sbh/bench2.db";
const db = await openDb({ provider: "sqlite", file, url: `file:${file}` });
const ws = (await db.prisma.workspace.findFirstOrThrow()).id;
const to = new Date(); const from = new Date(to.getTime() - 30 * 86400000);
const q = `SELECT substr(r."createdAt",1,10) AS bucket, r."status", r."workflowId", COUNT(*) AS n, SUM(r."inputTokens") AS it, SUM(r."costUsd") AS c, SUM(r."durationMs") AS d, COUNT(r."durationMs") AS dc FROM "Run" r WHERE r."workspaceId"=? AND r."createdAt">=? AND r."createdAt"<? GROUP BY 1,2,3`;
for (let i = 0; i < 3; i++) {
  let t = performance.now(); const rows = await db.prisma.$queryRawUnsafe<unknown[]>(q, ws, sqliteTimestamp(from), sqliteTimestamp(to)); console.log("prisma", Math.round(performance.now() - t), rows.length);
  t = performance.now(); const e = await db.prisma.$queryRawUnsafe<{detail:string}[]>("EXPLAIN QUERY PLAN " + q, ws, sqliteTimestamp(from), sqliteTimestamp(to)); console.log(e.map(x=>x.detail).join(" | "));
}
await db.close();
