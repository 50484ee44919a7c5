import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import { type Fixture, rowDecider, seedPendingApproval, seedWorkspace } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { createApprovalLinkToken, verifyApprovalLinkToken } from "./link-token";
import { decideWithLink, inspectApprovalLink } from "./links";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";

describe("approval link tokens", () => {
  const base = { approvalId: "ap1", workspaceId: "ws1", userId: "u1" };
  it("verifies a fresh token and refuses tampering, another secret, expiry", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const token = createApprovalLinkToken(SECRET, { ...base, expiresAt: new Date(now.getTime() + 60_000) });
    const ok = verifyApprovalLinkToken(SECRET, token, now);
    expect(ok.ok && ok.payload.a).toBe("ap1");
    const [body, sig] = token.split(".");
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body, "base64url").toString()), a: "ap2" }),
    ).toString("base64url");
    expect(verifyApprovalLinkToken(SECRET, `${forged}.${sig}`, now)).toMatchObject({
      ok: false,
      reason: "bad_signature",
    });
    expect(verifyApprovalLinkToken(`${SECRET}x`, token, now)).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(verifyApprovalLinkToken(SECRET, token, new Date(now.getTime() + 60_001))).toMatchObject({
      ok: false,
      reason: "expired",
    });
    expect(verifyApprovalLinkToken(SECRET, "garbage", now)).toMatchObject({ ok: false, reason: "malformed" });
  });
});

describe.each(TEST_DATABASES)("approval links on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  let fx: Fixture;
  beforeAll(async () => {
    db = await open();
    fx = await seedWorkspace(db);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  const link = (approvalId: string, userId: string, ttl = 3_600_000) =>
    createApprovalLinkToken(SECRET, {
      approvalId,
      workspaceId: fx.workspaceId,
      userId,
      expiresAt: new Date(Date.now() + ttl),
    });

  it("shows a confirmation without deciding, decides once on POST, and says 'used' the second time", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const token = link(approval.id, fx.users.approver.userId);
    const deps = { db, engine: rowDecider(db) };
    // Opening (GET) inspects only — twice, like a mail scanner would.
    expect((await inspectApprovalLink(deps, SECRET, token)).state).toBe("ready");
    expect((await inspectApprovalLink(deps, SECRET, token)).state).toBe("ready");
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");

    const outcome = await decideWithLink(deps, SECRET, { token, decision: "approve" });
    expect(outcome.status).toBe("approved");
    const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect((row.decision as { via: string }).via).toBe("link");

    expect((await inspectApprovalLink(deps, SECRET, token)).state).toBe("used");
    const second = await decideWithLink(deps, SECRET, { token, decision: "reject", reason: "changed my mind" }).catch(
      (e) => e,
    );
    expect(second).toBeInstanceOf(AppError);
    expect((second as AppError).code).toBe("conflict:approval");
    expect((second as AppError).message).toMatch(/already used/);
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("approved");
  });

  it("an expired link says so and changes nothing", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const token = link(approval.id, fx.users.approver.userId, -1000);
    const deps = { db, engine: rowDecider(db) };
    expect((await inspectApprovalLink(deps, SECRET, token)).state).toBe("expired");
    const err = await decideWithLink(deps, SECRET, { token, decision: "approve" }).catch((e) => e);
    expect((err as AppError).message).toMatch(/expired/);
    expect(deps.engine.calls).toBe(0);
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
  });

  it("a link for a viewer or a non-assignee cannot decide", async () => {
    const { approval } = await seedPendingApproval(db, fx, { roles: ["approver"] });
    const deps = { db, engine: rowDecider(db) };
    const err = await decideWithLink(deps, SECRET, {
      token: link(approval.id, fx.users.viewer.userId),
      decision: "approve",
    }).catch((e) => e);
    expect((err as AppError).code).toBe("forbidden:approval");
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
  });

  it("a link to an approval decided elsewhere says it was already decided", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const deps = { db, engine: rowDecider(db) };
    const token = link(approval.id, fx.users.approver.userId);
    await decideWithLink(deps, SECRET, { token: link(approval.id, fx.users.approver2.userId), decision: "approve" });
    const state = await inspectApprovalLink(deps, SECRET, token);
    expect(state.state).toBe("decided");
  });

  it("rejecting through a link requires a reason", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const deps = { db, engine: rowDecider(db) };
    const token = link(approval.id, fx.users.approver.userId);
    const err = await decideWithLink(deps, SECRET, { token, decision: "reject" }).catch((e) => e);
    expect((err as AppError).fieldErrors?.[0].path).toBe("reason");
    // The failed attempt did not use the link up.
    expect((await inspectApprovalLink(deps, SECRET, token)).state).toBe("ready");
  });
});
