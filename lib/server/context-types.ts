// Types shared by the server context and the session reader (kept apart to avoid an import cycle).
import type { Db } from "@/lib/db/client";
import type { Host } from "@/lib/host";

/** What a verified session token says: who, which workspace they last chose, and which server-side
 * session record (UserSession) it belongs to. The cookie reader always sets `sessionId` (a cookie
 * without one is refused); tests that hand claims directly may leave it out. */
export type SessionClaims = { userId: string; workspaceId?: string | null; sessionId?: string };

export type ServerContext = {
  /** this process's host (lib/host.ts): engine, store, notifier, decision service, notifications */
  host: () => Promise<Host>;
  /** the database for this process (the host's) */
  db: () => Promise<Db>;
  /** the verified session claims of the current request, or null */
  readSession: () => Promise<SessionClaims | null>;
};
