// The data directory is 0700 and the database, its -wal/-shm files, secrets.json and
// first-run.json are 0600 — on a fresh start and after an older version left them 0644 in a 0755
// folder; the seeded passwords are printed only to an interactive terminal, and always saved.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { readEnv } from "../env";
import { bootstrap } from "./bootstrap";
import { TEST_POSTGRES_URL } from "./testing";

const mode = (path: string) => statSync(path).mode & 0o777;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function freshDataDir(): string {
  const parent = mkdtempSync(join(tmpdir(), "switchboard-modes-"));
  dirs.push(parent);
  return join(parent, "data");
}

const sqliteTarget = (dataDir: string) => {
  const file = join(dataDir, "switchboard.db");
  return { provider: "sqlite" as const, file, url: `file:${file}` };
};

describe.skipIf(process.platform === "win32")("file modes of the data directory", () => {
  it("a fresh start creates the folder 0700 and the database, its WAL files and first-run.json 0600", async () => {
    const old = process.umask(0o022);
    try {
      const dataDir = freshDataDir();
      const lines: string[] = [];
      const { db, seeded } = await bootstrap({
        env: readEnv({}),
        target: sqliteTarget(dataDir),
        dataDir,
        log: (l) => lines.push(l),
      });
      try {
        await db.prisma.workspace.count(); // the WAL exists once the database has been used
        expect(mode(dataDir)).toBe(0o700);
        for (const name of ["switchboard.db", "switchboard.db-wal", "switchboard.db-shm", "first-run.json"]) {
          expect(existsSync(join(dataDir, name)), name).toBe(true);
          expect(mode(join(dataDir, name)).toString(8), name).toBe("600");
        }
        // Not a terminal (vitest): the passwords are in first-run.json only, the emails are named.
        const saved = JSON.parse(readFileSync(join(dataDir, "first-run.json"), "utf8"));
        expect(saved.users).toHaveLength(4);
        const log = lines.join("\n");
        expect(log).toContain("admin@acme.test");
        expect(log).toContain("first-run.json");
        for (const u of seeded?.users ?? []) expect(log).not.toContain(u.password);
      } finally {
        await db.close();
      }
    } finally {
      process.umask(old);
    }
  });

  it("tightens what an older version left readable: folder 0755 → 0700, files 0644 → 0600", async () => {
    const dataDir = freshDataDir();
    const first = await bootstrap({ env: readEnv({}), target: sqliteTarget(dataDir), dataDir, log: () => {} });
    await first.db.close();
    writeFileSync(join(dataDir, "secrets.json"), "{}\n");
    chmodSync(dataDir, 0o755);
    for (const name of ["switchboard.db", "first-run.json", "secrets.json"]) chmodSync(join(dataDir, name), 0o644);
    const again = await bootstrap({ env: readEnv({}), target: sqliteTarget(dataDir), dataDir, log: () => {} });
    try {
      expect(again.seeded).toBeNull();
      expect(mode(dataDir)).toBe(0o700);
      for (const name of ["switchboard.db", "first-run.json", "secrets.json"])
        expect(mode(join(dataDir, name)).toString(8), name).toBe("600");
    } finally {
      await again.db.close();
    }
  });

  it("prints the passwords when stdout and stderr are terminals", async () => {
    const dataDir = freshDataDir();
    const lines: string[] = [];
    const { db, seeded } = await bootstrap({
      env: readEnv({}),
      target: sqliteTarget(dataDir),
      dataDir,
      log: (l) => lines.push(l),
      showPasswords: true,
    });
    await db.close();
    for (const u of seeded?.users ?? []) expect(lines.join("\n")).toContain(u.password);
  });

  it("does not make a shared folder private", async () => {
    const parent = mkdtempSync(join(tmpdir(), "switchboard-modes-"));
    dirs.push(parent);
    mkdirSync(join(parent, "x"));
    const cwd = process.cwd();
    process.chdir(parent);
    const warnings: string[] = [];
    try {
      const { secureDataDirectory } = await import("./file-modes");
      chmodSync(parent, 0o755);
      secureDataDirectory(parent, (l) => warnings.push(l));
      expect(mode(parent)).toBe(0o755);
      expect(warnings.join()).toMatch(/shared folder/);
    } finally {
      process.chdir(cwd);
    }
  });

  it("on PostgreSQL the data directory and first-run.json are private too", async () => {
    const dataDir = freshDataDir();
    const schema = `t_modes_${randomBytes(4).toString("hex")}`;
    const url = `${TEST_POSTGRES_URL}${TEST_POSTGRES_URL.includes("?") ? "&" : "?"}schema=${schema}`;
    const lines: string[] = [];
    const { db, seeded } = await bootstrap({
      env: readEnv({}),
      target: { provider: "postgresql", url, schema },
      dataDir,
      log: (l) => lines.push(l),
    });
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, "first-run.json"))).toBe(0o600);
      for (const u of seeded?.users ?? []) expect(lines.join("\n")).not.toContain(u.password);
    } finally {
      await db.close();
      const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.query(`DROP SCHEMA IF EXISTS "${schema}_jobs" CASCADE`); // the run queue's (lib/db/jobs.ts)
      await client.end();
    }
  });
});
