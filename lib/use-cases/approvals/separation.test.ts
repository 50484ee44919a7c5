// Separation of duties (issue 14: "an editor can approve the run they started"): with the
// workspace setting on, the run's starter and its version's publisher cannot decide its approvals
// on any path (inbox action, REST v1, signed link, bulk, an API key of theirs, the CLI), the refusal
// names the rule, and someone else still can. Off (the default), nothing changes. Both databases.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { decideAction } from "@/app/(app)/inbox/actions";
import { setSeparationOfDutiesAction } from "@/app/(app)/settings/actions";
import * as decisionRoute from "@/app/api/v1/approvals/[id]/decision/route";
import type { Actor } from "@/lib/auth/policy";
import { type Fixture, rowDecider, seedPendingApproval, seedWorkspace, seedWorkspaceSettings } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";
import { bulkApprove, decideApproval, decideWithLink, separationOfDutiesBlock } from "./index";
import { createApprovalLinkToken } from "./link-token";

const SECRET = "a-test-secret-that-is-long-enough-0123456789";
const RULE = /separation of duties: you started this run/;

describe.each(TEST_DATABASES)("separation of duties on $name", ({ open }) => {
  const server = serverHarness(open, async (d) => {
    const seeded = await seedWorkspace(d);
    await seedWorkspaceSettings(d, seeded.workspaceId, { retentionDays: 30 });
    return seeded;
  });
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });
  const deps = () => ({ db, engine: rowDecider(db) });

  /** A pending approval (assigned to editors and approvers) on a run started by `startedBy`. */
  async function pendingStartedBy(startedBy: string | null, publishedBy: string | null = null) {
    const { approval, run } = await seedPendingApproval(db, fx, { roles: ["editor", "approver"] });
    await db.prisma.run.update({ where: { id: run.id }, data: { startedById: startedBy } });
    await db.prisma.workflowVersion.update({ where: { id: fx.versionId }, data: { publishedById: publishedBy } });
    return { approval, run };
  }
  const setting = (enabled: boolean) =>
    db.prisma.workspace
      .findUniqueOrThrow({ where: { id: fx.workspaceId } })
      .then((w) => w.settings)
      .then(async (s) => {
        await seedWorkspaceSettings(db, fx.workspaceId, { ...(s as object), separationOfDuties: enabled });
      });

  it("the setting is admin-only, audited, and keeps the other settings", async () => {
    for (const role of ["editor", "approver", "viewer"] as const) {
      server.as(role);
      const r = await setSeparationOfDutiesAction({ enabled: true });
      expect(!r.ok && r.error.code).toBe("forbidden:settings");
    }
    server.as("admin");
    expect(await setSeparationOfDutiesAction({ enabled: true })).toEqual({ ok: true, data: { enabled: true } });
    const ws = await db.prisma.workspace.findUniqueOrThrow({ where: { id: fx.workspaceId } });
    expect(ws.settings).toMatchObject({ retentionDays: 30, separationOfDuties: true });
    const audit = await db.prisma.auditEntry.findMany({
      where: { workspaceId: fx.workspaceId, action: "workspace.separation_of_duties_changed" },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toEqual({ from: false, to: true });
  });

  it("off: the starter may decide (the old behaviour)", async () => {
    await setting(false);
    const { approval } = await pendingStartedBy(fx.users.editor.userId);
    const outcome = await decideApproval(deps(), fx.users.editor, { approvalId: approval.id, decision: "approve" });
    expect(outcome.status).toBe("approved");
  });

  it("on: the starter is refused on every path with the rule named; another approver decides", async () => {
    await setting(true);
    const { approval } = await pendingStartedBy(fx.users.editor.userId);
    const engine = rowDecider(db);
    // the use case (all paths go through it)
    await expect(
      decideApproval({ db, engine }, fx.users.editor, { approvalId: approval.id, decision: "approve" }),
    ).rejects.toMatchObject({ code: "forbidden:approval", message: expect.stringMatching(RULE) });
    // the inbox server action
    server.as("editor");
    const inbox = await decideAction({ approvalId: approval.id, decision: "approve" });
    expect(!inbox.ok && inbox.error).toMatchObject({
      code: "forbidden:approval",
      message: expect.stringMatching(RULE),
    });
    // REST v1
    const res = await decisionRoute.POST(
      new Request(`http://localhost/api/v1/approvals/${approval.id}/decision`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost", host: "localhost" },
        body: JSON.stringify({ decision: "approve" }),
      }),
      { params: Promise.resolve({ id: approval.id }) },
    );
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(RULE);
    // a signed link made out to the starter
    const token = createApprovalLinkToken(SECRET, {
      approvalId: approval.id,
      workspaceId: fx.workspaceId,
      userId: fx.users.editor.userId,
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await expect(decideWithLink({ db, engine }, SECRET, { token, decision: "approve" })).rejects.toMatchObject({
      code: "forbidden:approval",
      message: expect.stringMatching(RULE),
    });
    // bulk
    const bulk = await bulkApprove({ db, engine }, fx.users.editor, { approvalIds: [approval.id] });
    expect(bulk[0]).toMatchObject({ ok: false, error: { code: "forbidden:approval" } });
    // an API key the starter created
    const key = await db.prisma.apiKey.create({
      data: {
        workspaceId: fx.workspaceId,
        name: "editor's key",
        prefix: "sb_x",
        keyHash: `hash-${approval.id}`,
        role: "editor",
        createdById: fx.users.editor.userId,
      },
    });
    const keyActor: Actor = { ...fx.users.editor, userId: `apikey:${key.id}`, email: "", via: "apiKey" };
    await expect(
      decideApproval({ db, engine }, keyActor, { approvalId: approval.id, decision: "approve" }),
    ).rejects.toMatchObject({ code: "forbidden:approval" });
    expect(engine.calls).toBe(0);
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");

    // someone else may
    expect(await separationOfDutiesBlock(db, fx.users.approver, approval)).toBeNull();
    const outcome = await decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" });
    expect(outcome.status).toBe("approved");
  });

  it("on: the publisher of the run's version is refused; a sub-run counts its parent's starter", async () => {
    await setting(true);
    const { approval } = await pendingStartedBy(null, fx.users.approver.userId);
    await expect(
      decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/you published the workflow version/) });

    const parent = await pendingStartedBy(fx.users.approver2.userId);
    const child = await pendingStartedBy(null);
    await db.prisma.run.update({ where: { id: child.run.id }, data: { parentRunId: parent.run.id } });
    await expect(
      decideApproval(deps(), fx.users.approver2, { approvalId: child.approval.id, decision: "approve" }),
    ).rejects.toMatchObject({ message: expect.stringMatching(RULE) });
  });
});
