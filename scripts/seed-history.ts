// Seeds a large run history straight into an embedded SQLite file with raw better-sqlite3 in
// big transactions (Prisma would cost ~10x per row). Used by `npm run bench:history`; also
// usable on its own to fill a dev database:
//   npx tsx scripts/seed-history.ts --db ./data/switchboard.db --runs 100000 --steps 1000000
// The file is migrated first (openDb), so the schema is exactly the app's.
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import { openDb } from "../lib/db/client";
import { prng } from "../lib/db/history-fixture";
import { sqliteTimestamp } from "../lib/db/history-sql";

export interface SeedOptions {
  file: string;
  runs: number;
  steps: number;
  days: number;
  end: Date;
  /** one run gets exactly this many steps (the "big run" of the detail benchmark) */
  bigRunSteps: number;
  seed: number;
  workspaceSlug: string;
  /** add the history to this existing workspace (and its members) instead of a new one */
  existingWorkspaceSlug?: string;
}

export interface SeedResult {
  workspaceId: string;
  bigRunId: string;
  runs: number;
  steps: number;
  approvals: number;
  seconds: number;
}

const STATUSES = ["succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "succeeded", "failed", "cancelled"];
const TRIGGERS = ["manual", "api", "schedule", "webhook", "cli"];
const NODE_KINDS = [
  { type: "agent", models: ["simulated", "openai:gpt-5-mini", "anthropic:claude-sonnet-4-5"] },
  { type: "http", models: [] },
  { type: "transform", models: [] },
  { type: "condition", models: [] },
];

function id(prefix: string, n: number): string {
  return `${prefix}${n.toString(36).padStart(7, "0")}${randomBytes(4).toString("hex")}`;
}

export async function seedHistory(opts: SeedOptions): Promise<SeedResult> {
  const t0 = performance.now();
  const db = await openDb({ provider: "sqlite", file: opts.file, url: `file:${opts.file}` });
  await db.close();
  const rnd = prng(opts.seed);
  const sql = new Database(opts.file);
  sql.pragma("journal_mode = WAL");
  sql.pragma("synchronous = OFF");
  sql.pragma("foreign_keys = OFF"); // steps are written before their run row in each batch
  const now = sqliteTimestamp(new Date());
  const existing = opts.existingWorkspaceSlug
    ? (sql.prepare(`SELECT "id" FROM "Workspace" WHERE "slug" = ?`).get(opts.existingWorkspaceSlug) as
        | { id: string }
        | undefined)
    : undefined;
  if (opts.existingWorkspaceSlug && !existing) throw new Error(`No workspace with slug ${opts.existingWorkspaceSlug}`);
  const workspaceId = existing?.id ?? id("ws", 1);
  if (!existing) {
    sql
      .prepare(`INSERT INTO "Workspace" ("id","name","slug","createdAt") VALUES (?,?,?,?)`)
      .run(workspaceId, "Bench", opts.workspaceSlug, now);
  }
  const users: string[] = existing
    ? (
        sql.prepare(`SELECT "userId" FROM "Membership" WHERE "workspaceId" = ?`).all(workspaceId) as {
          userId: string;
        }[]
      ).map((m) => m.userId)
    : [];
  for (let i = 0; i < (existing ? 0 : 8); i++) {
    const uid = id("u", i);
    users.push(uid);
    sql
      .prepare(`INSERT INTO "User" ("id","email","name","createdAt") VALUES (?,?,?,?)`)
      .run(uid, `user${i}-${opts.workspaceSlug}@example.com`, `User ${i}`, now);
    sql
      .prepare(`INSERT INTO "Membership" ("id","workspaceId","userId","role","createdAt") VALUES (?,?,?,?,?)`)
      .run(id("m", i), workspaceId, uid, i === 0 ? "admin" : "editor", now);
  }
  const workflows: { id: string; versionId: string; nodes: { id: string; type: string; model: string | null }[] }[] =
    [];
  for (let w = 0; w < 25; w++) {
    const wid = id("wf", w);
    const vid = id("wv", w);
    const nodes = Array.from({ length: 12 }, (_, k) => {
      const kind = NODE_KINDS[k % NODE_KINDS.length]!;
      return {
        id: `${kind.type}_${k}`,
        type: kind.type,
        model: kind.models.length ? kind.models[(w + k) % kind.models.length]! : null,
      };
    });
    sql
      .prepare(
        `INSERT INTO "Workflow" ("id","workspaceId","name","draft","createdAt","updatedAt") VALUES (?,?,?,?,?,?)`,
      )
      .run(wid, workspaceId, `${existing ? "History " : ""}Workflow ${w}`, "{}", now, now);
    sql
      .prepare(
        `INSERT INTO "WorkflowVersion" ("id","workspaceId","workflowId","version","document","contentHash","createdAt") VALUES (?,?,?,?,?,?,?)`,
      )
      .run(vid, workspaceId, wid, 1, "{}", `h${w}`, now);
    workflows.push({ id: wid, versionId: vid, nodes });
  }

  const insRun = sql.prepare(`INSERT INTO "Run" ("id","workspaceId","workflowId","workflowVersionId","status","trigger",
    "input","output","error","state","startedById","createdAt","startedAt","endedAt","durationMs","inputTokens","outputTokens",
    "costUsd","stepCount","waitingOnPerson") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const insStep =
    sql.prepare(`INSERT INTO "Step" ("id","runId","workspaceId","nodeId","nodeType","visit","attempt","status",
    "idempotencyKey","input","output","error","model","simulated","inputTokens","outputTokens","costUsd","startedAt","endedAt","durationMs")
    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`);
  const insApproval =
    sql.prepare(`INSERT INTO "Approval" ("id","workspaceId","runId","nodeId","visit","title","assigneeRoles",
    "assigneeUserIds","status","decidedById","decidedAt","createdAt") VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`);

  const start = opts.end.getTime() - opts.days * 86400000;
  const perRun = (opts.steps - opts.bigRunSteps) / Math.max(opts.runs - 1, 1);
  let stepsLeft = opts.steps;
  let approvals = 0;
  let bigRunId = "";
  const BATCH = 5000;
  for (let base = 0; base < opts.runs; base += BATCH) {
    sql.transaction(() => {
      for (let i = base; i < Math.min(base + BATCH, opts.runs); i++) {
        const isBig = i === opts.runs - 1;
        const wf = workflows[Math.floor(rnd() * workflows.length)]!;
        const runsLeft = opts.runs - i;
        const nSteps = isBig
          ? opts.bigRunSteps
          : Math.max(1, Math.min(stepsLeft - opts.bigRunSteps - (runsLeft - 2), Math.round(perRun * (0.5 + rnd()))));
        const status = isBig ? "failed" : STATUSES[Math.floor(rnd() * STATUSES.length)]!;
        const createdAtMs = isBig ? opts.end.getTime() - 3600000 : start + Math.floor(rnd() * opts.days * 86400000);
        const runId = id("r", i);
        if (isBig) bigRunId = runId;
        let t = createdAtMs + 20;
        let inTok = 0;
        let outTok = 0;
        let cost = 0;
        for (let k = 0; k < nSteps; k++) {
          const node = wf.nodes[k % wf.nodes.length]!;
          const visit = Math.floor(k / wf.nodes.length) + 1;
          const last = k === nSteps - 1;
          const stepStatus = last && status === "failed" ? "failed" : "succeeded";
          const dur = node.model ? 200 + Math.floor(rnd() * 3000) : 1 + Math.floor(rnd() * 30);
          const it = node.model ? 200 + Math.floor(rnd() * 2000) : 0;
          const ot = node.model ? 50 + Math.floor(rnd() * 800) : 0;
          const c = node.model && node.model !== "simulated" ? (it * 0.25 + ot * 2) / 1e6 : 0;
          inTok += it;
          outTok += ot;
          cost += c;
          insStep.run(
            `${runId}s${k}`,
            runId,
            workspaceId,
            node.id,
            node.type,
            visit,
            1,
            stepStatus,
            `${runId}:${node.id}:${visit}`,
            `{"k":${k}}`,
            stepStatus === "succeeded" ? `{"text":"ok ${k}"}` : null,
            stepStatus === "failed" ? `{"name":"HttpError","message":"HTTP 503 from upstream","retryable":true}` : null,
            node.model,
            node.model === "simulated" ? 1 : 0,
            it,
            ot,
            c,
            sqliteTimestamp(new Date(t)),
            sqliteTimestamp(new Date(t + dur)),
            dur,
          );
          t += dur;
        }
        stepsLeft -= nSteps;
        const finished = status !== "running";
        insRun.run(
          runId,
          workspaceId,
          wf.id,
          wf.versionId,
          status,
          TRIGGERS[Math.floor(rnd() * TRIGGERS.length)]!,
          JSON.stringify({ message: `Ticket ${i}: customer asks about order ${Math.floor(rnd() * 1e6)}` }),
          status === "succeeded" ? `{"ok":true}` : null,
          status === "failed" ? `{"message":"HTTP 503 from upstream"}` : null,
          "{}",
          rnd() < 0.3 ? null : users[Math.floor(rnd() * users.length)]!,
          sqliteTimestamp(new Date(createdAtMs)),
          sqliteTimestamp(new Date(createdAtMs + 20)),
          finished ? sqliteTimestamp(new Date(t)) : null,
          finished ? t - createdAtMs - 20 : null,
          inTok,
          outTok,
          cost,
          nSteps,
          0,
        );
        if (i % 50 === 0) {
          const decided = rnd() < 0.8;
          approvals++;
          insApproval.run(
            `${runId}a`,
            workspaceId,
            runId,
            "approve",
            1,
            "Approve refund",
            `["approver"]`,
            "[]",
            decided ? "approved" : "pending",
            decided ? users[0]! : null,
            decided ? sqliteTimestamp(new Date(createdAtMs + 60000 + Math.floor(rnd() * 7200000))) : null,
            sqliteTimestamp(new Date(createdAtMs + 10)),
          );
        }
      }
    })();
  }
  sql.exec("ANALYZE");
  sql.close();
  return {
    workspaceId,
    bigRunId,
    runs: opts.runs,
    steps: opts.steps - stepsLeft,
    approvals,
    seconds: (performance.now() - t0) / 1000,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1]?.endsWith("seed-history.ts")) {
  const file = arg("db");
  if (!file) {
    console.error(
      "usage: tsx scripts/seed-history.ts --db <sqlite file> [--runs 100000] [--steps 1000000] [--days 90] [--workspace <slug>]",
    );
    process.exit(2);
  }
  const result = await seedHistory({
    file,
    runs: Number(arg("runs") ?? 100000),
    steps: Number(arg("steps") ?? 1000000),
    days: Number(arg("days") ?? 90),
    end: new Date(),
    bigRunSteps: 500,
    seed: 1,
    workspaceSlug: `bench-${Date.now().toString(36)}`,
    existingWorkspaceSlug: arg("workspace"),
  });
  console.log(JSON.stringify(result, null, 2));
}
