import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { verifyPassword } from "../auth/password";
import { bootstrap } from "./bootstrap";
import { BUILTIN_DEMO_WORKFLOW, DEMO_USERS, demoDocuments, seedIfEmpty } from "./seed";
import { TEST_DATABASES } from "./testing";

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "switchboard-seed-"));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  vi.unstubAllEnvs();
});

describe.each(TEST_DATABASES)("seed on $name", ({ open }) => {
  it("creates Acme Support with one user per role, random argon2id passwords and first-run.json (600)", async () => {
    const db = await open();
    const dataDir = tempDir();
    const lines: string[] = [];
    try {
      const result = await seedIfEmpty(db, { dataDir, log: (l) => lines.push(l) });
      expect(result).not.toBeNull();
      const file = join(dataDir, "first-run.json");
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const content = JSON.parse(readFileSync(file, "utf8"));
      expect(Object.keys(content)).toEqual(["users"]);
      expect(content.users.map((u: { email: string; role: string }) => [u.email, u.role])).toEqual(
        DEMO_USERS.map((u) => [u.email, u.role]),
      );
      for (const u of content.users) {
        expect(Object.keys(u).sort()).toEqual(["email", "password", "role"]);
        expect(u.password).toMatch(/^[A-Za-z0-9]{20}$/);
        const row = await db.prisma.user.findUniqueOrThrow({ where: { email: u.email } });
        expect(row.passwordHash).toMatch(/^\$argon2id\$/);
        expect(await verifyPassword(row.passwordHash as string, u.password)).toBe(true);
        expect(await verifyPassword(row.passwordHash as string, "password")).toBe(false);
        // printed once on the console
        expect(lines.join("\n")).toContain(u.password);
      }
      // every password different
      expect(new Set(content.users.map((u: { password: string }) => u.password)).size).toBe(4);
      const ws = await db.prisma.workspace.findUniqueOrThrow({ where: { slug: "acme" } });
      expect(ws.name).toBe("Acme Support");
      const memberships = await db.prisma.membership.findMany({ where: { workspaceId: ws.id } });
      expect(memberships.map((m) => m.role).sort()).toEqual(["admin", "approver", "editor", "viewer"]);
      const workflows = await db.prisma.workflow.findMany({
        where: { workspaceId: ws.id },
        include: { versions: true },
      });
      expect(workflows.length).toBe(demoDocuments().length);
      expect(workflows.length).toBeGreaterThan(0);
      for (const wf of workflows) expect(wf.versions.map((v) => v.version)).toEqual([1]);
      // no leftover temp file
      expect(readdirSync(dataDir)).toEqual(["first-run.json"]);
    } finally {
      await db.dispose();
    }
  });

  it("does nothing on a database that has data, and never overwrites first-run.json", async () => {
    const db = await open();
    const dataDir = tempDir();
    try {
      await seedIfEmpty(db, { dataDir, log: () => {} });
      const before = readFileSync(join(dataDir, "first-run.json"), "utf8");
      expect(await seedIfEmpty(db, { dataDir, log: () => {} })).toBeNull();
      expect(readFileSync(join(dataDir, "first-run.json"), "utf8")).toBe(before);
      expect(await db.prisma.user.count()).toBe(4);
    } finally {
      await db.dispose();
    }
  });
});

describe("bootstrap", () => {
  it("migrates and seeds a fresh embedded database", async () => {
    const dataDir = tempDir();
    const file = join(dataDir, "switchboard.db");
    const { db, seeded } = await bootstrap({
      target: { provider: "sqlite", file, url: `file:${file}` },
      dataDir,
      log: () => {},
    });
    try {
      expect(seeded?.users).toHaveLength(4);
      expect(await db.prisma.workspace.count()).toBe(1);
    } finally {
      await db.close();
    }
  });

  it("SWITCHBOARD_SEED=0 leaves the database empty and writes no credentials", async () => {
    vi.stubEnv("SWITCHBOARD_SEED", "0");
    const dataDir = tempDir();
    const file = join(dataDir, "switchboard.db");
    const { db, seeded } = await bootstrap({ target: { provider: "sqlite", file, url: `file:${file}` }, dataDir });
    try {
      expect(seeded).toBeNull();
      expect(await db.prisma.user.count()).toBe(0);
      expect(readdirSync(dataDir).filter((n) => n.startsWith("first-run"))).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("demo documents", () => {
  it("falls back to the built-in Agent → approval → agent workflow without lib/templates", () => {
    const docs = demoDocuments(tempDir());
    expect(docs).toEqual([BUILTIN_DEMO_WORKFLOW]);
    const types = BUILTIN_DEMO_WORKFLOW.nodes.map((n) => n.type);
    expect(types).toEqual(["trigger", "agent", "approval", "agent", "end", "end"]);
  });
});

describe("no fixed default password", () => {
  it("appears nowhere in the seed or auth code", () => {
    for (const file of [
      "lib/db/seed.ts",
      "lib/auth/password.ts",
      "lib/auth/credentials.ts",
      "lib/auth/options.ts",
      "bin/start.mjs",
    ]) {
      const text = readFileSync(join(process.cwd(), file), "utf8");
      expect(text, file).not.toMatch(/password\s*[:=]\s*["'`][^"'`{]+["'`]/i);
    }
  });
});
