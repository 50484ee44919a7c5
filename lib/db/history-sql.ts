// A tiny SQL builder for the run-history and dashboard queries, which need raw SQL that differs
// between SQLite and PostgreSQL (placeholders, date formatting, JSON-as-text, percentiles).
// Values always travel as bound parameters; only identifiers written in this file are spliced.
import type { Db, Provider } from "./client";

export class SqlBuilder {
  readonly params: unknown[] = [];
  readonly provider: Provider;
  private readonly schema: string | undefined;
  constructor(db: Pick<Db, "provider" | "target">) {
    this.provider = db.provider;
    this.schema = db.target.provider === "postgresql" ? db.target.schema : undefined;
  }

  /** Binds a value and returns its numbered placeholder (order of appearance does not matter). */
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  /** A table name, qualified with the PostgreSQL schema when the connection uses one. */
  t(table: string): string {
    return this.schema ? `"${this.schema.replace(/"/g, "")}"."${table}"` : `"${table}"`;
  }

  /** Binds a timestamp; compared against DateTime columns on either provider. */
  ts(date: Date): string {
    // Prisma's SQLite adapter stores DateTime as fixed-width ISO text ending in "+00:00", so
    // lexicographic comparison equals time order. PostgreSQL columns are TIMESTAMP(3) in UTC.
    if (this.provider === "postgresql") return `${this.p(date.toISOString())}::timestamp`;
    return this.p(sqliteTimestamp(date));
  }

  /** A column as text bucketed by day ("YYYY-MM-DD") or hour ("YYYY-MM-DDTHH"), in UTC. */
  bucket(column: string, unit: "day" | "hour"): string {
    if (this.provider === "postgresql") {
      return unit === "day" ? `to_char(${column}, 'YYYY-MM-DD')` : `to_char(${column}, 'YYYY-MM-DD"T"HH24')`;
    }
    return unit === "day" ? `substr(${column}, 1, 10)` : `substr(${column}, 1, 13)`;
  }

  /** Milliseconds between two timestamp columns. */
  msBetween(from: string, to: string): string {
    if (this.provider === "postgresql") return `(EXTRACT(EPOCH FROM (${to} - ${from})) * 1000)`;
    return `((julianday(${to}) - julianday(${from})) * 86400000.0)`;
  }

  /** A JSON column as searchable lower-case text. */
  jsonText(column: string): string {
    return this.provider === "postgresql" ? `lower(${column}::text)` : `lower(CAST(${column} AS TEXT))`;
  }

  /** Substring test (no LIKE wildcards to escape). */
  contains(haystack: string, needlePlaceholder: string): string {
    return this.provider === "postgresql"
      ? `strpos(${haystack}, ${needlePlaceholder}) > 0`
      : `instr(${haystack}, ${needlePlaceholder}) > 0`;
  }

  bool(value: boolean): string {
    return this.provider === "postgresql" ? (value ? "true" : "false") : value ? "1" : "0";
  }
}

export function sqliteTimestamp(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}

/** Runs the SQL; for SQLite, "$n" placeholders become "?" with the values in order of appearance. */
export async function query<T = Record<string, unknown>>(db: Db, b: SqlBuilder, sql: string): Promise<T[]> {
  if (b.provider === "postgresql") return (await db.prisma.$queryRawUnsafe(sql, ...b.params)) as T[];
  const ordered: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
    ordered.push(b.params[Number(n) - 1]);
    return "?";
  });
  return (await db.prisma.$queryRawUnsafe(text, ...ordered)) as T[];
}

/** Numbers from either driver (SQLite COUNT is a bigint, PostgreSQL SUM of ints is a string). */
export function num(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  if (typeof value === "string") return Number(value);
  if (typeof value === "object" && value !== null && "toNumber" in value) {
    return (value as { toNumber(): number }).toNumber();
  }
  return Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function toDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "string") {
    // PostgreSQL timestamp without time zone comes back without a zone: it is UTC.
    const s = /[zZ]|[+-]\d\d:\d\d$/.test(value) ? value : `${value.replace(" ", "T")}Z`;
    return new Date(s);
  }
  if (typeof value === "number") return new Date(value);
  return null;
}

export function parseJsonColumn(value: unknown): unknown {
  if (typeof value === "string") {
    try {
      return JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}
