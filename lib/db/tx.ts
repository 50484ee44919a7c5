// One database handle type for every lib/db function: `DbOrTx`, the process's Db or a
// transaction opened on it by `transaction()`. Callers outside lib/db never see the Prisma client:
// they pass the Db they were given, or the transaction handle `transaction()` gave them, so a
// change and its audit entry commit or fail together.
import type { Db, PrismaClient } from "./client";
import type { Prisma } from "./generated/sqlite/client";

/** An open transaction. Pass it to lib/db functions wherever they take a DbOrTx. */
export type Tx = Prisma.TransactionClient;

/** What lib/db functions take: the database, or a transaction on it. */
export type DbOrTx = Db | Tx;

function isDb(db: DbOrTx): db is Db {
  return "prisma" in db && "provider" in db;
}

/** The Prisma handle behind a Db or a transaction (for lib/db modules only). */
export function prismaOf(db: DbOrTx): Tx {
  return isDb(db) ? db.prisma : db;
}

/**
 * Runs `fn` in one transaction. Called with a transaction handle, it joins that transaction
 * (nested use cases commit together); called with the Db, it opens a new one.
 */
export async function transaction<T>(
  db: DbOrTx,
  fn: (tx: Tx) => Promise<T>,
  options: { isolationLevel?: "Serializable" } = {},
): Promise<T> {
  const client = prismaOf(db) as Partial<PrismaClient>;
  if (typeof client.$transaction !== "function") return fn(client as Tx);
  return (client as PrismaClient).$transaction(fn, options);
}
