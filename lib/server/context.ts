import "server-only";
// The two things every server entry point needs: the database and the request's session.
// Tests replace them with setServerContextForTests() (a fresh SQLite/PostgreSQL database and a
// fake session), so authedAction/authedRoute are tested end to end without Next.
import { getDb } from "@/lib/db/client";
import type { ServerContext } from "./context-types";
import { readSessionCookie } from "./session-cookie";

export type { ServerContext, SessionClaims } from "./context-types";

const defaults: ServerContext = { db: getDb, readSession: readSessionCookie };
let overrides: Partial<ServerContext> = {};

export function serverContext(): ServerContext {
  return { ...defaults, ...overrides };
}

/** Test hook: replace parts of the context; pass null to restore the defaults. */
export function setServerContextForTests(next: Partial<ServerContext> | null): void {
  overrides = next ?? {};
}
