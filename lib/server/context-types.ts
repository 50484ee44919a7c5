// Types shared by the server context and the session reader (kept apart to avoid an import cycle).
import type { Db } from "@/lib/db/client";

/** What a verified session token says: who, and which workspace they last chose. */
export type SessionClaims = { userId: string; workspaceId?: string | null };

export type ServerContext = {
  /** the database for this process */
  db: () => Promise<Db>;
  /** the verified session claims of the current request, or null */
  readSession: () => Promise<SessionClaims | null>;
};
