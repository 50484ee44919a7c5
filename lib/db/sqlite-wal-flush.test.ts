// The background WAL flush (sqlite-wal-flush.ts): one fdatasync per so many commits, never two at
// once, a missing -wal file skipped, and the run store's SQLite path actually driving it.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { acquireSqlBackend } from "./sql-exec";
import { COMMITS_PER_FLUSH, createWalFlusher, type WalFlusher } from "./sqlite-wal-flush";
import { openTestSqlite } from "./testing";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function scratchFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "wal-flush-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "x.db-wal");
  writeFileSync(file, "frames");
  return file;
}

describe("createWalFlusher", () => {
  it("flushes once per so many commits, not before", async () => {
    const flusher = createWalFlusher(scratchFile(), 4);
    for (let i = 0; i < 3; i++) flusher.committed();
    await flusher.close();
    expect(flusher.flushes).toBe(0);

    const again = createWalFlusher(scratchFile(), 4);
    for (let i = 0; i < 4; i++) again.committed();
    await again.close();
    expect(again.flushes).toBe(1);
  });

  it("never starts a second flush while one is in flight; the commits meanwhile count towards the next", async () => {
    const flusher = createWalFlusher(scratchFile(), 2);
    for (let i = 0; i < 10; i++) flusher.committed(); // one flush starts at the 2nd; the rest wait
    for (let waited = 0; flusher.flushes === 0 && waited < 5000; waited += 10) await sleep(10);
    await sleep(100); // a second flush, had one started, would have finished by now too
    expect(flusher.flushes).toBe(1);
    flusher.committed(); // 8 counted since: the next flush starts now
    await flusher.close();
    expect(flusher.flushes).toBe(2);
  });

  it("skips a log file that is not there (SQLite removed it) without an error", async () => {
    const flusher = createWalFlusher(join(tmpdir(), "no-such-dir-for-wal-flush", "x.db-wal"), 1);
    flusher.committed();
    await expect(flusher.close()).resolves.toBeUndefined();
    expect(flusher.flushes).toBe(0);
  });

  it("does nothing after close", async () => {
    const flusher = createWalFlusher(scratchFile(), 1);
    await flusher.close();
    flusher.committed();
    await flusher.close();
    expect(flusher.flushes).toBe(0);
  });
});

it("the run store's SQLite backend flushes its database's WAL as it commits", async () => {
  const db = await openTestSqlite();
  cleanups.push(() => db.dispose());
  const { backend, release } = acquireSqlBackend(db);
  const flusher = (backend as { walFlush?: WalFlusher | null }).walFlush;
  expect(flusher).toBeTruthy();
  // one commit per transaction: each awaited before the next is asked for (no group commit)
  for (let i = 0; i < COMMITS_PER_FLUSH; i++)
    await backend.transaction((tx) => tx.all({ sql: "SELECT 1", params: [] }));
  await release();
  expect(flusher!.flushes).toBe(1);
});
