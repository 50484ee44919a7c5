import "server-only";
// next-auth (v4) configuration: email + password (credentials) always, OIDC when
// OIDC_ISSUER / OIDC_CLIENT_ID / OIDC_CLIENT_SECRET are set. Sessions are JWTs carrying
// userId, workspaceId and role; lib/server/session.ts re-reads role and membership from the
// database on every request, so the token's role is informational only.
import type { NextAuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { z } from "zod";
import { createUserSession, revokeSession } from "@/lib/db/sessions";
import { findMembership, findUserByEmail } from "@/lib/db/users";
import { type EnvSource, readEnv } from "@/lib/env";
import { clientAddress } from "@/lib/server/client-address";
import { serverContext } from "@/lib/server/context";
import { INVALID_CREDENTIALS, recordSignIn, recordSignOut, throttledMessage, verifyCredentials } from "./credentials";
import { authSecret } from "./secrets";

// Without NEXTAUTH_URL, derive URLs from the request's Host (any address the server answers on).
// Written to process.env because next-auth reads it from there itself.
if (!readEnv().NEXTAUTH_URL) process.env.AUTH_TRUST_HOST ??= "1";

export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

const CredentialsInput = z.object({
  email: z.string().trim().max(320),
  password: z.string().max(1024),
});

type SwitchboardUser = User & { workspaceId: string; role: string };

/** The real client's address (X-Forwarded-For only from SWITCHBOARD_TRUSTED_PROXIES): lib/server/client-address.ts. */
export function clientIp(headers: Record<string, unknown> | undefined): string | null {
  return clientAddress(headers);
}

export function oidcConfigured(source?: EnvSource): boolean {
  const env = readEnv(source);
  return Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET);
}

function oidcProvider(): OAuthConfig<{ sub: string; email?: string; name?: string; email_verified?: boolean }> {
  const env = readEnv();
  const issuer = (env.OIDC_ISSUER as string).replace(/\/$/, "");
  return {
    id: "oidc",
    name: env.OIDC_NAME,
    type: "oauth",
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: "openid email profile" } },
    idToken: true,
    checks: ["pkce", "state"],
    profile(profile) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? profile.email ?? null };
    },
  };
}

/** The server-side record of a new session (lib/db/sessions.ts); its id goes into the JWT as `sid`. */
async function startServerSession(userId: string): Promise<string> {
  const db = await serverContext().db();
  const { id } = await createUserSession(db, {
    userId,
    expiresAt: new Date(Date.now() + SESSION_MAX_AGE_SECONDS * 1000),
  });
  return id;
}

let cached: NextAuthOptions | undefined;

export function authOptions(): NextAuthOptions {
  cached ??= buildAuthOptions();
  return cached;
}

function buildAuthOptions(): NextAuthOptions {
  const providers: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(raw, req) {
        const parsed = CredentialsInput.safeParse(raw);
        if (!parsed.success) throw new Error(INVALID_CREDENTIALS);
        const db = await serverContext().db();
        const result = await verifyCredentials(db, { ...parsed.data, ip: clientIp(req?.headers) });
        if (!result.ok) {
          // next-auth hands a thrown message to the sign-in form as `error`.
          throw new Error(
            result.reason === "throttled" ? throttledMessage(result.retryAfterSeconds) : INVALID_CREDENTIALS,
          );
        }
        const user: SwitchboardUser = {
          id: result.user.id,
          email: result.user.email,
          name: result.user.name,
          workspaceId: result.workspaceId,
          role: result.role,
        };
        return user;
      },
    }),
  ];
  if (oidcConfigured()) providers.push(oidcProvider());

  return {
    secret: authSecret(),
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/signin", error: "/signin" },
    providers,
    callbacks: {
      async signIn({ user, account }) {
        if (account?.provider !== "oidc") return true;
        // SSO never creates accounts: the email must belong to an existing member.
        if (!user.email) return false;
        const db = await serverContext().db();
        const existing = await findUserByEmail(db, user.email);
        const membership = existing ? await findMembership(db, existing.id) : null;
        if (!existing || !membership) return false;
        await recordSignIn(db, { user: existing, workspaceId: membership.workspaceId, method: "oidc" });
        return true;
      },
      async jwt({ token, user, account }) {
        if (user && account?.provider === "credentials") {
          const u = user as SwitchboardUser;
          token.userId = u.id;
          token.workspaceId = u.workspaceId;
          token.role = u.role;
          token.sid = await startServerSession(u.id);
        } else if (user && account?.provider === "oidc" && user.email) {
          const db = await serverContext().db();
          const existing = await findUserByEmail(db, user.email);
          const membership = existing ? await findMembership(db, existing.id) : null;
          if (existing && membership) {
            token.userId = existing.id;
            token.workspaceId = membership.workspaceId;
            token.role = membership.role;
            token.name = existing.name;
            token.email = existing.email;
            token.sid = await startServerSession(existing.id);
          }
        }
        return token;
      },
      async session({ session, token }) {
        return {
          ...session,
          user: {
            ...session.user,
            id: token.userId,
            workspaceId: token.workspaceId,
            role: token.role,
          },
        };
      },
      async redirect({ url, baseUrl }) {
        // Only ever redirect within this site.
        if (url.startsWith("/") && !url.startsWith("//")) return `${baseUrl}${url}`;
        try {
          if (new URL(url).origin === baseUrl) return url;
        } catch {
          // fall through
        }
        return baseUrl;
      },
    },
    events: {
      async signOut({ token }) {
        if (typeof token?.userId !== "string" || typeof token.workspaceId !== "string") return;
        const db = await serverContext().db();
        // End this session on the server: its cookie is refused from now on, wherever a copy is.
        if (typeof token.sid === "string") await revokeSession(db, token.sid, "signed_out");
        const membership = await findMembership(db, token.userId, token.workspaceId);
        if (membership) {
          await recordSignOut(db, {
            userId: membership.user.id,
            email: membership.user.email,
            workspaceId: membership.workspaceId,
          });
        }
      },
    },
  };
}
