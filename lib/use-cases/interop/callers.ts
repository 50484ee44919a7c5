// Who calls /api/mcp and /api/a2a: an API key (`Authorization: Bearer sb_…`) with the endpoint's
// scope, acting with the key's role in the key's workspace. Requests from browsers must come from
// this installation's own origin, and every request must name one of its hosts (DNS rebinding).
import type { Actor } from "@/lib/auth/policy";
import { type ApiKeyScope, keyAllowsScope } from "@/lib/auth/scopes";
import { AppError } from "@/lib/contracts/app-errors";
import { authenticateApiKey } from "@/lib/db/api-keys";
import type { DbOrTx } from "@/lib/db/tx";
import type { Env } from "@/lib/env";

export interface Caller {
  actor: Actor;
  keyId: string;
  keyName: string;
}

/** The caller of an interop endpoint, or AppError unauthenticated (401) / forbidden (403). */
export async function authenticateCaller(db: DbOrTx, request: Request, scope: ApiKeyScope): Promise<Caller> {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header.trim()) : null;
  if (!match)
    throw new AppError("unauthenticated", {
      message: "Send an API key of this workspace as `Authorization: Bearer <key>`.",
    });
  const key = await authenticateApiKey(db, match[1] as string);
  if (!key) throw new AppError("unauthenticated", { message: "The API key is not valid or was revoked." });
  if (!keyAllowsScope(key, scope))
    throw new AppError("forbidden:apikey", { message: `This API key may not be used for ${scope.toUpperCase()}.` });
  return {
    keyId: key.id,
    keyName: key.name,
    actor: {
      userId: `apikey:${key.id}`,
      email: "",
      name: `API key “${key.name}”`,
      workspaceId: key.workspaceId,
      role: key.role,
      via: "apiKey",
    },
  };
}

const LOOPBACK = ["localhost", "127.0.0.1", "[::1]"];

/** The host names requests may name: this installation's public URLs, and loopback. */
export function allowedHostnames(env: Pick<Env, "SWITCHBOARD_PUBLIC_URL" | "NEXTAUTH_URL">): string[] {
  const out = new Set(LOOPBACK);
  for (const url of [env.SWITCHBOARD_PUBLIC_URL, env.NEXTAUTH_URL]) {
    if (!url) continue;
    try {
      out.add(new URL(url).hostname.toLowerCase());
    } catch {
      // lib/env.ts checked it is a URL
    }
  }
  return [...out];
}

/** This installation's base URL for links (runs, cards). */
export function publicBaseUrl(env: Pick<Env, "SWITCHBOARD_PUBLIC_URL" | "NEXTAUTH_URL" | "PORT">): string {
  return (env.SWITCHBOARD_PUBLIC_URL ?? env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, "");
}
