import "server-only";
// Reads the next-auth (v4, JWT strategy) session cookie of the current request and decrypts it.
// Only identity comes from the token; role and workspace are re-read from the database by
// session.ts on every request, so a role change or removal takes effect at once; the token's
// `sid` names its server-side record (lib/db/sessions.ts), checked on every request too.
import { cookies } from "next/headers";
import { decode } from "next-auth/jwt";
import { authSecret } from "@/lib/auth/secrets";
import type { SessionClaims } from "./context-types";

const COOKIE_NAMES = ["__Secure-next-auth.session-token", "next-auth.session-token"];

function readChunked(all: Map<string, string>, name: string): string | undefined {
  const whole = all.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; all.has(`${name}.${i}`); i++) chunks.push(all.get(`${name}.${i}`) as string);
  return chunks.length ? chunks.join("") : undefined;
}

export async function readSessionCookie(): Promise<SessionClaims | null> {
  const jar = await cookies();
  const all = new Map(jar.getAll().map((c) => [c.name, c.value]));
  for (const name of COOKIE_NAMES) {
    const token = readChunked(all, name);
    if (!token) continue;
    try {
      const payload = await decode({ token, secret: authSecret() });
      // A token without a server-side session id (issued before sessions were recorded) is refused:
      // it could never be revoked.
      if (payload && typeof payload.userId === "string" && typeof payload.sid === "string") {
        return {
          userId: payload.userId,
          workspaceId: typeof payload.workspaceId === "string" ? payload.workspaceId : null,
          sessionId: payload.sid,
        };
      }
    } catch {
      // Expired, tampered or signed with another secret: treat as signed out.
    }
  }
  return null;
}
