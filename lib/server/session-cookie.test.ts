// The session cookie reader: a next-auth JWT is accepted only with a server-side session id
// (`sid`), which lib/server/session.ts checks on every request. A token without one — what every
// cookie looked like before sessions were recorded, and what a 7-day stolen copy would still be —
// is refused, as are tampered tokens and tokens sealed with another secret.
import { afterEach, describe, expect, it, vi } from "vitest";

let jar: { name: string; value: string }[] = [];
// Next's request cookie store (not our code): the reader only calls getAll().
vi.mock("next/headers", () => ({ cookies: async () => ({ getAll: () => jar }) }));
process.env.NEXTAUTH_SECRET = "a-test-nextauth-secret-that-is-long-enough-0123456789";

import { encode } from "next-auth/jwt";
import { readSessionCookie } from "./session-cookie";

const token = (payload: Record<string, unknown>, secret = process.env.NEXTAUTH_SECRET as string) =>
  encode({ token: payload, secret, maxAge: 3600 });

describe("readSessionCookie", () => {
  afterEach(() => {
    jar = [];
  });

  it("returns the claims with the session id", async () => {
    jar = [{ name: "next-auth.session-token", value: await token({ userId: "u1", workspaceId: "w1", sid: "s1" }) }];
    expect(await readSessionCookie()).toEqual({ userId: "u1", workspaceId: "w1", sessionId: "s1" });
  });

  it("refuses a token without a server-side session id", async () => {
    jar = [{ name: "next-auth.session-token", value: await token({ userId: "u1", workspaceId: "w1" }) }];
    expect(await readSessionCookie()).toBeNull();
  });

  it("refuses a tampered token and one sealed with another secret", async () => {
    const good = await token({ userId: "u1", workspaceId: "w1", sid: "s1" });
    jar = [{ name: "next-auth.session-token", value: `${good.slice(0, -4)}AAAA` }];
    expect(await readSessionCookie()).toBeNull();
    jar = [
      {
        name: "next-auth.session-token",
        value: await token({ userId: "u1", sid: "s1" }, "another-secret-that-is-also-long-enough-000000"),
      },
    ];
    expect(await readSessionCookie()).toBeNull();
  });
});
