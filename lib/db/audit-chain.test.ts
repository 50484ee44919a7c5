// The audit trail is hash-chained per workspace: editing, deleting, inserting or cutting off
// entries is found by verification, which names the first broken link; concurrent appends (one
// process or several, one transaction or many) never fork the chain. On both databases.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runCliInProcess } from "../cli/testing";
import { AUDIT_GENESIS, auditEntryHash, recordAudit, verifyAudit, verifyAuditChain } from "./audit";
import { type Db, openDb } from "./client";
import { TEST_DATABASES } from "./testing";
import { transaction } from "./tx";

const system = { label: "system" };
const CHILD = join(import.meta.dirname, "audit-chain.child.mjs");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function workspace(db: Db, slug = `ws-${Math.random().toString(36).slice(2, 8)}`) {
  return db.prisma.workspace.create({ data: { name: slug, slug } });
}

async function append(db: Db, workspaceId: string, n: number) {
  for (let i = 0; i < n; i++)
    await recordAudit(db, {
      workspaceId,
      actor: system,
      action: "workflow.saved",
      targetType: "workflow",
      targetId: `w${i}`,
      summary: `entry ${i + 1}`,
      data: { i, nested: { b: 2, a: [1, "x"] }, at: new Date("2026-01-01T00:00:00Z") },
    });
}

const bySeq = (db: Db, workspaceId: string, seq: number) =>
  db.prisma.auditEntry.findFirstOrThrow({ where: { workspaceId, seq } });

describe.each(TEST_DATABASES)("audit hash chain on $name", ({ open }) => {
  async function fresh() {
    const db = await open();
    cleanups.push(() => db.dispose());
    return db;
  }

  it("links every entry to the one before; verification passes and reports the head", async () => {
    const db = await fresh();
    const ws = await workspace(db);
    await append(db, ws.id, 5);
    const rows = await db.prisma.auditEntry.findMany({ where: { workspaceId: ws.id }, orderBy: { seq: "asc" } });
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(rows[0]?.prevHash).toBe(AUDIT_GENESIS);
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prevHash).toBe(rows[i - 1]?.hash);
    const report = await verifyAuditChain(db, ws.id);
    expect(report).toMatchObject({
      ok: true,
      entries: 5,
      legacy: 0,
      firstBreak: null,
      head: { seq: 5, hash: rows[4]?.hash },
    });
  });

  it("an edited entry is named as the first broken link", async () => {
    const db = await fresh();
    const ws = await workspace(db);
    await append(db, ws.id, 5);
    const third = await bySeq(db, ws.id, 3);
    await db.prisma.auditEntry.update({ where: { id: third.id }, data: { summary: "nothing happened" } });
    const report = await verifyAuditChain(db, ws.id);
    expect(report.ok).toBe(false);
    expect(report.firstBreak).toMatchObject({ seq: 3, id: third.id, action: "workflow.saved" });
    expect(report.firstBreak?.problem).toMatch(/entry #3 was changed after it was written/);
  });

  it("an entry rewritten with a recomputed hash breaks the link to the next one", async () => {
    const db = await fresh();
    const ws = await workspace(db);
    await append(db, ws.id, 5);
    const fourth = await bySeq(db, ws.id, 4);
    const forged = { ...fourth, summary: "forged", seq: 4, prevHash: fourth.prevHash as string };
    await db.prisma.auditEntry.update({
      where: { id: fourth.id },
      data: { summary: "forged", hash: auditEntryHash({ ...forged, data: fourth.data }) },
    });
    const report = await verifyAuditChain(db, ws.id);
    expect(report.firstBreak).toMatchObject({ seq: 5 });
    expect(report.firstBreak?.problem).toMatch(/entry #5 does not follow entry #4/);
  });

  it("a deleted entry, entries cut off the end, and entries slipped in outside the chain are found", async () => {
    const db = await fresh();
    const ws = await workspace(db);
    await append(db, ws.id, 6);
    await db.prisma.auditEntry.delete({ where: { id: (await bySeq(db, ws.id, 2)).id } });
    expect((await verifyAuditChain(db, ws.id)).firstBreak?.problem).toMatch(
      /entry #2 is missing: the chain jumps from #1 to #3/,
    );

    const other = await workspace(db);
    await append(db, other.id, 4);
    await db.prisma.auditEntry.deleteMany({ where: { workspaceId: other.id, seq: { gte: 3 } } });
    expect((await verifyAuditChain(db, other.id)).firstBreak?.problem).toMatch(
      /entries #3 to #4 were removed from the end/,
    );

    const third = await workspace(db);
    await append(db, third.id, 2);
    await db.prisma.auditEntry.create({
      data: { workspaceId: third.id, actorLabel: "mallory", action: "x", targetType: "x", summary: "slipped in" },
    });
    const slipped = await verifyAuditChain(db, third.id);
    expect(slipped.firstBreak?.problem).toMatch(/is not in the chain although it was written after the chain began/);
  });

  it("entries written before the chain existed are reported, not counted as breaks", async () => {
    const db = await fresh();
    const ws = await workspace(db);
    await db.prisma.auditEntry.create({
      data: {
        workspaceId: ws.id,
        actorLabel: "system",
        action: "workspace.seeded",
        targetType: "workspace",
        summary: "old",
        createdAt: new Date(Date.now() - 86_400_000),
      },
    });
    await append(db, ws.id, 2);
    expect(await verifyAuditChain(db, ws.id)).toMatchObject({ ok: true, entries: 2, legacy: 1 });
  });

  it("concurrent appends never fork the chain: many at once, other processes, two in one transaction", async () => {
    const db = await fresh();
    const ws = await workspace(db);
    const entry = (i: number) => ({
      workspaceId: ws.id,
      actor: system,
      action: "run.started",
      targetType: "run",
      targetId: `r${i}`,
      summary: `run ${i}`,
    });
    // Two other processes append to the same chain while this one does.
    const children = [1, 2].map(
      () =>
        new Promise<number | null>((resolve) => {
          const child = spawn(process.execPath, [CHILD, JSON.stringify(db.target), ws.id, "15"], {
            stdio: ["ignore", "inherit", "inherit"],
          });
          child.on("exit", resolve);
        }),
    );
    await Promise.all(Array.from({ length: 30 }, (_, i) => recordAudit(db, entry(i))));
    await transaction(db, async (tx) => {
      await Promise.all([recordAudit(tx, entry(100)), recordAudit(tx, entry(101))]);
    });
    expect(await Promise.all(children)).toEqual([0, 0]);
    const report = await verifyAuditChain(db, ws.id);
    expect(report).toMatchObject({ ok: true, entries: 62, head: { seq: 62 } });
    const rows = await db.prisma.auditEntry.findMany({
      where: { workspaceId: ws.id },
      select: { seq: true, actorLabel: true },
    });
    expect(new Set(rows.map((r) => r.seq)).size).toBe(62);
    expect(new Set(rows.map((r) => r.actorLabel)).size).toBe(3);
  }, 90_000);

  it("verifies each workspace on its own, and entries of no workspace as their own chain", async () => {
    const db = await fresh();
    const a = await workspace(db, "alpha");
    const b = await workspace(db, "beta");
    await append(db, a.id, 3);
    await append(db, b.id, 2);
    await recordAudit(db, {
      workspaceId: null,
      actor: system,
      action: "auth.signin_failed",
      targetType: "user",
      summary: "x",
    });
    await db.prisma.auditEntry.update({
      where: { id: (await bySeq(db, b.id, 1)).id },
      data: { actorLabel: "someone else" },
    });
    const reports = await verifyAudit(db);
    expect(reports.map((r) => [r.slug, r.ok, r.entries])).toEqual([
      ["alpha", true, 3],
      ["beta", false, 2],
      [null, true, 1],
    ]);
    expect((await verifyAudit(db, { workspaceSlug: "alpha" })).map((r) => r.slug)).toEqual(["alpha"]);
  });
});

describe("switchboard audit verify", () => {
  it("prints each chain, names the first broken link and exits 1; --json; unknown workspace exits 2", async () => {
    const dir = mkdtempSync(join(tmpdir(), "switchboard-audit-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, "audit.db");
    const target = { provider: "sqlite" as const, file, url: `file:${file}` };
    const db = await openDb(target);
    cleanups.push(() => db.close());
    const ws = await workspace(db, "acme");
    await append(db, ws.id, 4);

    const cli = (...argv: string[]) => runCliInProcess(target, argv);
    const intact = await cli("audit", "verify");
    expect(intact.code).toBe(0);
    expect(intact.stdout).toMatch(/^acme: 4 entries, intact \(head #4 [0-9a-f]{16}…\)$/m);

    const second = await bySeq(db, ws.id, 2);
    await db.prisma.auditEntry.update({ where: { id: second.id }, data: { targetId: "someone-else" } });
    const broken = await cli("audit", "verify", "--workspace", "acme");
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(
      `acme: BROKEN at entry #2 (${second.createdAt.toISOString()}, workflow.saved, id ${second.id})`,
    );
    expect(broken.stdout).toContain("entry #2 was changed after it was written");

    const json = await cli("audit", "verify", "--json");
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: false,
      chains: [{ slug: "acme", ok: false, entries: 4, firstBreak: { seq: 2, id: second.id } }],
    });
    expect((await cli("audit", "verify", "--workspace", "nope")).code).toBe(2);
  }, 60_000);
});
