// Signed, expiring approval link tokens (sent in notifications; links.ts decides with them). A
// token names one approval, one recipient and an expiry, signed with HMAC-SHA256 under a key
// derived from the server secret. Pure: no database here.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export const DEFAULT_LINK_TTL_MS = 72 * 3600_000;

const Payload = z.object({
  v: z.literal(1),
  /** token id (single use) */
  j: z.string().min(8).max(64),
  /** approval id */
  a: z.string().min(1).max(100),
  /** workspace id */
  w: z.string().min(1).max(100),
  /** recipient user id: the link acts as this person */
  u: z.string().min(1).max(100),
  /** expiry, epoch milliseconds */
  e: z.number().int().positive(),
});
export type LinkPayload = z.infer<typeof Payload>;

function keyFrom(secret: string): Buffer {
  if (!secret || secret.length < 16) throw new Error("The server secret for approval links is missing or too short.");
  // Domain separation: this key signs approval links and nothing else.
  return createHmac("sha256", secret).update("switchboard/approval-link/v1").digest();
}

function sign(secret: string, body: string): string {
  return createHmac("sha256", keyFrom(secret)).update(body).digest("base64url");
}

export function createApprovalLinkToken(
  secret: string,
  input: { approvalId: string; workspaceId: string; userId: string; expiresAt: Date; tokenId?: string },
): string {
  const payload: LinkPayload = {
    v: 1,
    j: input.tokenId ?? randomBytes(12).toString("base64url"),
    a: input.approvalId,
    w: input.workspaceId,
    u: input.userId,
    e: input.expiresAt.getTime(),
  };
  const body = Buffer.from(JSON.stringify(payload), "utf8").toString("base64url");
  return `${body}.${sign(secret, body)}`;
}

export type LinkCheck =
  | { ok: true; payload: LinkPayload }
  | { ok: false; reason: "malformed" | "bad_signature" | "expired"; payload?: LinkPayload };

/** Verifies signature and expiry (does not look at the database). */
export function verifyApprovalLinkToken(secret: string, token: string, now: Date = new Date()): LinkCheck {
  if (typeof token !== "string" || token.length > 2000) return { ok: false, reason: "malformed" };
  const [body, sig, extra] = token.split(".");
  if (!body || !sig || extra !== undefined) return { ok: false, reason: "malformed" };
  const expected = Buffer.from(sign(secret, body), "utf8");
  const given = Buffer.from(sig, "utf8");
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, reason: "bad_signature" };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "malformed" };
  if (parsed.data.e <= now.getTime()) return { ok: false, reason: "expired", payload: parsed.data };
  return { ok: true, payload: parsed.data };
}
