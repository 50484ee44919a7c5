// The REST endpoints and the inbox server actions, end to end without Next: real database, the
// foundation's authedRoute/authedAction with a test session, the real engine.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { decideAction, reassignAction } from "@/app/(app)/inbox/actions";
import { POST as decide } from "@/app/api/v1/approvals/[id]/decision/route";
import { GET as getOne } from "@/app/api/v1/approvals/[id]/route";
import { GET as list } from "@/app/api/v1/approvals/route";
import { createApiKey } from "@/lib/db/api-keys";
import { type Fixture, seedPendingApproval } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

describe.each(TEST_DATABASES)("approvals REST API and actions on $name", ({ open }) => {
  const server = serverHarness(open);
  const { as } = server;
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });

  it("lists and reads approvals with an API key; decides with it; a second decision gets 409 naming the winner", async () => {
    const { approval } = await seedPendingApproval(db, fx, { title: "API decided" });
    const { key } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "ci-bot",
      role: "approver",
      createdById: null,
    });
    as(null);
    const auth = { authorization: `Bearer ${key}` };
    const listed = await list(new Request("http://x/api/v1/approvals", { headers: auth }));
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { approvals: { id: string }[] };
    expect(body.approvals.map((a) => a.id)).toContain(approval.id);
    const one = await getOne(
      new Request(`http://x/api/v1/approvals/${approval.id}`, { headers: auth }),
      ctx(approval.id),
    );
    expect(((await one.json()) as { approval: { payload: unknown } }).approval.payload).toEqual({
      amount: 120,
      currency: "USD",
    });

    const post = (data: unknown, headers: Record<string, string> = auth) =>
      decide(
        new Request(`http://x/api/v1/approvals/${approval.id}/decision`, {
          method: "POST",
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(data),
        }),
        ctx(approval.id),
      );
    const noReason = await post({ decision: "reject" });
    expect(noReason.status).toBe(400);
    expect(((await noReason.json()) as { error: { fieldErrors: { path: string }[] } }).error.fieldErrors[0].path).toBe(
      "reason",
    );
    const ok = await post({ decision: "approve", comment: "ok by CI" });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { approval: { status: string } }).approval.status).toBe("approved");
    const again = await post({ decision: "approve" });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { message: string } }).error.message).toContain("ci-bot");
  });

  it("refuses a viewer's API key and a viewer's direct server-action call; nothing changes", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const { key } = await createApiKey(db.prisma, {
      workspaceId: fx.workspaceId,
      name: "viewer-key",
      role: "viewer",
      createdById: null,
    });
    as(null);
    const res = await decide(
      new Request(`http://x/api/v1/approvals/${approval.id}/decision`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ decision: "approve" }),
      }),
      ctx(approval.id),
    );
    expect(res.status).toBe(403);
    as("viewer");
    const result = await decideAction({ approvalId: approval.id, decision: "approve" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe("forbidden:approval");
    const reassign = await reassignAction({ approvalId: approval.id, roles: ["admin"], userIds: [] });
    expect(reassign.ok).toBe(false);
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
    as(null);
    const anonymous = await decideAction({ approvalId: approval.id, decision: "approve" });
    expect(!anonymous.ok && anonymous.error.code).toBe("unauthenticated");
  });

  it("decides through the inbox action as an assignee and refuses a cookie write from another origin", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    as("approver");
    const crossSite = await decide(
      new Request(`http://x/api/v1/approvals/${approval.id}/decision`, {
        method: "POST",
        headers: { origin: "http://evil.example", host: "x", "content-type": "application/json" },
        body: JSON.stringify({ decision: "approve" }),
      }),
      ctx(approval.id),
    );
    expect(crossSite.status).toBe(403);
    const result = await decideAction({ approvalId: approval.id, decision: "reject", reason: "Duplicate request" });
    expect(result.ok).toBe(true);
    const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect(row.status).toBe("rejected");
    expect((row.decision as { via: string; reason: string }).reason).toBe("Duplicate request");
  });
});
