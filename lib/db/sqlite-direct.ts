// The better-sqlite3 connection underneath a Prisma client, for the run store's hot path.
//
// Why: Prisma 7 costs ~0.2 ms per raw statement and ~1 ms per 3-statement transaction on
// SQLite, while the database itself needs ~0.02 ms per statement. The run store's commit (one
// per step transition) is the engine's hot path, so on SQLite it runs its few statements
// synchronously on the SAME connection Prisma uses: one connection means no second writer
// (no "database is locked", no stale-snapshot failures in Prisma's own transactions), and a
// synchronous BEGIN…COMMIT cannot interleave with any other query of this process.
//
// Prisma does not expose the connection, so the adapter factory's connect() is wrapped to
// remember it. The wrap must be installed before the client's first query: lib/db/client.ts
// imports this module for that reason (when it does not, the run store falls back to Prisma
// and is correct, only slower).
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";

export type SqliteHandle = BetterSqlite3.Database;
export type SqliteStatement = BetterSqlite3.Statement<unknown[], Record<string, unknown>>;

// The handle is kept on the adapter factory itself, under a registered symbol, like the patch
// flag: Next bundles this module into several server chunks, and a second copy must see the
// handle the first copy's patch recorded (otherwise its stores quietly fall back to Prisma, ~4×
// slower). No process-wide registry is needed.
const HANDLE = Symbol.for("switchboard.sqliteDirect.handle");
const PATCHED = Symbol.for("switchboard.sqliteDirect.patched");

type Connectable = { connect(): Promise<unknown> } & { [PATCHED]?: boolean };
type WithHandle = { [HANDLE]?: SqliteHandle };
const proto = PrismaBetterSqlite3.prototype as unknown as Connectable;

if (!proto[PATCHED]) {
  const original = proto.connect;
  proto.connect = async function connect(this: WithHandle) {
    const adapter = (await original.call(this)) as { client?: unknown };
    if (adapter && isSqliteHandle(adapter.client)) this[HANDLE] = adapter.client;
    return adapter;
  };
  proto[PATCHED] = true;
}

function isSqliteHandle(value: unknown): value is SqliteHandle {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as SqliteHandle).prepare === "function" &&
    typeof (value as SqliteHandle).inTransaction === "boolean"
  );
}

/** The connection under a SQLite Prisma client, or null (PostgreSQL, or connected before the wrap). */
export function sqliteHandleOf(prisma: unknown): SqliteHandle | null {
  const factory = (prisma as { _engineConfig?: { adapter?: WithHandle } })?._engineConfig?.adapter;
  const handle = factory?.[HANDLE];
  return handle?.open ? handle : null;
}
