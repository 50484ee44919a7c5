// What the run store's modules share: one store's database, write path, statement builders and
// row decoder, built once by PrismaRunStore's constructor and passed to the functions that need it.
import type { RunEventRecord } from "@/lib/contracts/ports";
import type { Db } from "../client";
import type { SqlBackend } from "../sql-exec";
import type { RowDecoder } from "./decode";
import type { RunStoreStatements } from "./statements";

export interface RunStoreContext {
  readonly db: Db;
  readonly sql: SqlBackend;
  readonly statements: RunStoreStatements;
  readonly decode: RowDecoder;
}

/** Told of the events a transaction appended (PrismaRunStoreOptions.onEvents). */
export type RunEventsListener = (
  runId: string,
  events: RunEventRecord[],
  source: "createRun" | "commit" | "decideApproval",
) => void;
