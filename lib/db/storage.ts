// How much room the data takes (the benchmark reports it).
import type { Db } from "./client";

/** Bytes of every table (with indexes and TOAST) in one PostgreSQL schema. */
export async function postgresSchemaBytes(db: Db, schema: string): Promise<number> {
  const rows = await db.prisma.$queryRawUnsafe<{ bytes: bigint | number | null }[]>(
    `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
    schema,
  );
  return Number(rows[0]?.bytes ?? 0);
}
