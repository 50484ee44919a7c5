import "server-only";
// What every server entry point needs: the process's host (lib/host.ts: database, engine,
// decision service, …) and the request's session. Tests replace them with
// setServerContextForTests() (a fresh SQLite/PostgreSQL database and a fake session), so
// authedAction/authedRoute are tested end to end without Next.
import { createHost, getHost, type Host } from "@/lib/host";
import type { ServerContext } from "./context-types";
import { readSessionCookie } from "./session-cookie";

export type { ServerContext, SessionClaims } from "./context-types";

let overrides: Partial<ServerContext> = {};
let testHost: Promise<Host> | null = null;

export function serverContext(): ServerContext {
  const host: () => Promise<Host> =
    overrides.host ??
    (overrides.db
      ? // A test that gives only a database gets a host around it (role "test", nothing started).
        () => {
          const db = overrides.db as () => Promise<Host["db"]>;
          testHost ??= db().then((d) => createHost({ role: "test", db: d }));
          return testHost;
        }
      : getHost);
  return {
    host,
    db: overrides.db ?? (async () => (await host()).db),
    readSession: overrides.readSession ?? readSessionCookie,
  };
}

/** Test hook: replace parts of the context; pass null to restore the defaults. */
export function setServerContextForTests(next: Partial<ServerContext> | null): void {
  overrides = next ?? {};
  testHost = null;
}
