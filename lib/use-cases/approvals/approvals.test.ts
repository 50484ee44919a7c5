import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import { countWaiting, getApprovalDetail, listApprovals } from "@/lib/db/approvals";
import { type Fixture, rowDecider, seedApprovalOutcome, seedPendingApproval, seedWorkspace } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { bulkApprove, commentOnApproval, decideApproval, reassignApproval, recordTimeouts } from "./index";

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe.each(TEST_DATABASES)("approvals service on $name", ({ open }) => {
  let db: Awaited<ReturnType<typeof open>>;
  let fx: Fixture;
  const deps = () => ({ db, engine: rowDecider(db) });

  beforeAll(async () => {
    db = await open();
    fx = await seedWorkspace(db);
  });
  afterAll(async () => {
    await db?.dispose();
  });

  it("lets an assignee approve, records audit and run event, and queues the run", async () => {
    const { approval, run } = await seedPendingApproval(db, fx);
    const outcome = await decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" });
    expect(outcome.status).toBe("approved");
    const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect(row.status).toBe("approved");
    expect(row.decidedById).toBe(fx.users.approver.userId);
    expect((row.decision as { via: string }).via).toBe("inbox");
    expect((await db.prisma.run.findUniqueOrThrow({ where: { id: run.id } })).status).toBe("queued");
    const audit = await db.prisma.auditEntry.findMany({ where: { targetId: approval.id, action: "approval.decided" } });
    expect(audit).toHaveLength(1);
    expect(audit[0].actorLabel).toBe(fx.users.approver.email);
    const events = await db.prisma.runEvent.findMany({ where: { runId: run.id, type: "approval.decided" } });
    expect(events).toHaveLength(1);
  });

  it("refuses a viewer, and a non-assignee, before anything changes", async () => {
    const { approval } = await seedPendingApproval(db, fx, { roles: ["viewer", "approver"] });
    const engine = rowDecider(db);
    const viewer = await refusal(
      decideApproval({ db, engine }, fx.users.viewer, { approvalId: approval.id, decision: "approve" }),
    );
    expect(viewer.code).toBe("forbidden:approval");
    const { approval: forAdminsOnly } = await seedPendingApproval(db, fx, { roles: ["admin"] });
    const editor = await refusal(
      decideApproval({ db, engine }, fx.users.editor, { approvalId: forAdminsOnly.id, decision: "approve" }),
    );
    expect(editor.code).toBe("forbidden:approval");
    expect(engine.calls).toBe(0);
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
    // An admin may decide anything in the workspace.
    const ok = await decideApproval({ db, engine }, fx.users.admin, {
      approvalId: forAdminsOnly.id,
      decision: "approve",
    });
    expect(ok.status).toBe("approved");
  });

  it("hides approvals of another workspace", async () => {
    const other = await seedWorkspace(db);
    const { approval } = await seedPendingApproval(db, other);
    const err = await refusal(decideApproval(deps(), fx.users.admin, { approvalId: approval.id, decision: "approve" }));
    expect(err.code).toBe("not_found:approval");
  });

  it("requires a reason to reject, naming the field", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const err = await refusal(
      decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "reject" }),
    );
    expect(err.code).toBe("invalid:approval");
    expect(err.fieldErrors?.[0].path).toBe("reason");
    const outcome = await decideApproval(deps(), fx.users.approver, {
      approvalId: approval.id,
      decision: "reject",
      reason: "Over the refund policy",
    });
    expect(outcome.status).toBe("rejected");
    const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect((row.decision as { reason: string }).reason).toBe("Over the refund policy");
  });

  it("validates an edit against editSchema with field-named errors, then accepts a valid one", async () => {
    const editSchema = {
      type: "object",
      properties: { amount: { type: "number", maximum: 100 }, note: { type: "string", minLength: 1 } },
      required: ["amount", "note"],
    };
    const { approval } = await seedPendingApproval(db, fx, { allowEdit: true, editSchema });
    const engine = rowDecider(db);
    const err = await refusal(
      decideApproval({ db, engine }, fx.users.approver, {
        approvalId: approval.id,
        decision: "approve",
        data: { amount: 500 },
      }),
    );
    expect(err.code).toBe("invalid:approval");
    expect(err.fieldErrors?.map((f) => f.path).sort()).toEqual(["data.amount", "data.note"]);
    expect(engine.calls).toBe(0);
    const ok = await decideApproval({ db, engine }, fx.users.approver, {
      approvalId: approval.id,
      decision: "approve",
      data: { amount: 90, note: "partial refund" },
    });
    expect(ok.edited).toBe(true);
    const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect((row.decision as { data: unknown }).data).toEqual({ amount: 90, note: "partial refund" });
  });

  it("refuses edits when the approval does not allow them", async () => {
    const { approval } = await seedPendingApproval(db, fx, { allowEdit: false });
    const err = await refusal(
      decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve", data: { amount: 1 } }),
    );
    expect(err.fieldErrors?.[0].path).toBe("data");
  });

  it("is single-use under concurrency: one of two simultaneous decisions wins, the loser learns who and what", async () => {
    for (let round = 0; round < 3; round++) {
      const { approval } = await seedPendingApproval(db, fx);
      const results = await Promise.allSettled([
        decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" }),
        decideApproval(deps(), fx.users.approver2, { approvalId: approval.id, decision: "reject", reason: "no" }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const err = lost[0].reason as AppError;
      expect(err.code).toBe("conflict:approval");
      const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
      const winner = row.decidedById === fx.users.approver.userId ? fx.users.approver : fx.users.approver2;
      expect(err.message).toContain(winner.email);
      expect(err.message).toContain(row.status === "approved" ? "approved" : "rejected");
      expect(await db.prisma.auditEntry.count({ where: { targetId: approval.id, action: "approval.decided" } })).toBe(
        1,
      );
    }
  });

  it("tells a late second click that it was already decided", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    await decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" });
    const err = await refusal(
      decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" }),
    );
    expect(err.code).toBe("conflict:approval");
    expect(err.message).toMatch(/Already decided: .* approved it/);
  });

  it("reassigns (admins and current assignees only), with audit and run event", async () => {
    const { approval, run } = await seedPendingApproval(db, fx, { roles: ["approver"] });
    const viewer = await refusal(
      reassignApproval(deps(), fx.users.viewer, { approvalId: approval.id, userIds: [fx.users.editor.userId] }),
    );
    expect(viewer.code).toBe("forbidden:approval");
    const editor = await refusal(
      reassignApproval(deps(), fx.users.editor, { approvalId: approval.id, userIds: [fx.users.editor.userId] }),
    );
    expect(editor.code).toBe("forbidden:approval");
    const toViewer = await refusal(
      reassignApproval(deps(), fx.users.approver, { approvalId: approval.id, userIds: [fx.users.viewer.userId] }),
    );
    expect(toViewer.code).toBe("invalid:approval");
    expect(toViewer.fieldErrors?.[0].path).toBe("userIds.0");
    await reassignApproval(deps(), fx.users.approver, { approvalId: approval.id, userIds: [fx.users.editor.userId] });
    const row = await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } });
    expect(row.assigneeUserIds).toEqual([fx.users.editor.userId]);
    expect(row.assigneeRoles).toEqual([]);
    // The approver is no longer an assignee; the editor now is.
    expect(
      (await refusal(decideApproval(deps(), fx.users.approver, { approvalId: approval.id, decision: "approve" }))).code,
    ).toBe("forbidden:approval");
    await decideApproval(deps(), fx.users.editor, { approvalId: approval.id, decision: "approve" });
    expect(await db.prisma.auditEntry.count({ where: { targetId: approval.id, action: "approval.reassigned" } })).toBe(
      1,
    );
    expect(await db.prisma.runEvent.count({ where: { runId: run.id, type: "approval.reassigned" } })).toBe(1);
    // Admins can reassign anything pending.
    const { approval: second } = await seedPendingApproval(db, fx, { roles: ["editor"] });
    await reassignApproval(deps(), fx.users.admin, { approvalId: second.id, roles: ["approver"] });
  });

  it("bulk-approves each selected approval and reports the ones it could not", async () => {
    const a = await seedPendingApproval(db, fx, { title: "A" });
    const b = await seedPendingApproval(db, fx, { title: "B" });
    const c = await seedPendingApproval(db, fx, { title: "C", roles: ["admin"] });
    const results = await bulkApprove(deps(), fx.users.approver, {
      approvalIds: [a.approval.id, b.approval.id, c.approval.id],
    });
    expect(results.map((r) => r.ok)).toEqual([true, true, false]);
    expect(results[2].error?.code).toBe("forbidden:approval");
    const rows = await db.prisma.approval.findMany({
      where: { id: { in: [a.approval.id, b.approval.id, c.approval.id] } },
    });
    expect(rows.filter((r) => r.status === "approved")).toHaveLength(2);
    expect((rows.find((r) => r.id === a.approval.id)?.decision as { via: string } | null)?.via).toBe("bulk");
  });

  it("comments without deciding; viewers cannot", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    await commentOnApproval({ db }, fx.users.approver, { approvalId: approval.id, comment: "Checking with finance" });
    expect(
      (await refusal(commentOnApproval({ db }, fx.users.viewer, { approvalId: approval.id, comment: "hi" }))).code,
    ).toBe("forbidden:approval");
    expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");
  });

  it("lists waiting (mine by role or user, sorted by deadline), decided by me, all; filters by workflow and age", async () => {
    const ws = await seedWorkspace(db);
    const now = new Date();
    const late = await seedPendingApproval(db, ws, { title: "late", deadlineAt: new Date(now.getTime() + 3_600_000) });
    const soon = await seedPendingApproval(db, ws, { title: "soon", deadlineAt: new Date(now.getTime() + 60_000) });
    const none = await seedPendingApproval(db, ws, { title: "none", createdAt: new Date(now.getTime() - 86_400_000) });
    const mine = await seedPendingApproval(db, ws, { title: "mine", roles: [], userIds: [ws.users.editor.userId] });
    const waiting = await listApprovals(db, ws.users.approver, { tab: "waiting" }, now);
    expect(waiting.map((a) => a.title)).toEqual(["soon", "late", "none"]);
    expect(await countWaiting(db, ws.users.approver)).toBe(3);
    expect((await listApprovals(db, ws.users.editor, { tab: "waiting" }, now)).map((a) => a.title)).toEqual(["mine"]);
    expect(await listApprovals(db, ws.users.viewer, { tab: "waiting" }, now)).toEqual([]);
    const old = await listApprovals(db, ws.users.approver, { tab: "waiting", minAgeMs: 3_600_000 }, now);
    expect(old.map((a) => a.title)).toEqual(["none"]);
    expect(await listApprovals(db, ws.users.approver, { tab: "waiting", workflowId: "nope" }, now)).toEqual([]);
    expect(await listApprovals(db, ws.users.approver, { tab: "waiting", workflowId: ws.workflowId }, now)).toHaveLength(
      3,
    );

    const wsDeps = { db, engine: rowDecider(db) };
    await decideApproval(wsDeps, ws.users.approver, { approvalId: soon.approval.id, decision: "approve" });
    const decided = await listApprovals(db, ws.users.approver, { tab: "decided" }, now);
    expect(decided.map((a) => [a.title, a.status, a.decidedByLabel])).toEqual([
      ["soon", "approved", ws.users.approver.email],
    ]);
    const all = await listApprovals(db, ws.users.admin, { tab: "all" }, now);
    expect(all.map((a) => a.title).sort()).toEqual(["late", "mine", "none", "soon"]);
    void late;
    void none;
    void mine;
  });

  it("returns the detail with payload, trail, conversation, handoffs and cost", async () => {
    const { approval } = await seedPendingApproval(db, fx, { payload: { tool: "refund", args: { amount: 120 } } });
    const detail = await getApprovalDetail(db, fx.workspaceId, approval.id);
    expect(detail?.payload).toEqual({ tool: "refund", args: { amount: 120 } });
    expect(detail?.steps.map((s) => s.nodeId)).toEqual(["triage"]);
    expect(detail?.conversation[0].content).toContain("$120");
    expect(detail?.handoffs).toEqual([{ from: "triage", to: "billing", reason: "money question" }]);
    expect(detail?.run.costUsd).toBeCloseTo(0.0123);
    expect(await getApprovalDetail(db, "other-ws", approval.id)).toBeNull();
  });

  it("names the steps as the run's workflow version does (ids only for steps without a name)", async () => {
    const { approval } = await seedPendingApproval(db, fx);
    const run = await db.prisma.run.findFirstOrThrow({ where: { id: approval.runId } });
    await db.prisma.workflowVersion.update({
      where: { id: run.workflowVersionId },
      data: {
        document: {
          format: "switchboard.workflow/v1",
          name: "Refunds",
          nodes: [
            { id: "triage", type: "agent", name: "Triage the request", config: {} },
            { id: "billing", type: "agent", config: {} },
          ],
          edges: [],
        },
      },
    });
    const detail = await getApprovalDetail(db, fx.workspaceId, approval.id);
    expect(detail?.stepNames).toEqual({ triage: "Triage the request" });
  });

  it("records timeouts in the audit trail once per outcome", async () => {
    const { approval } = await seedPendingApproval(db, fx, { onTimeout: "reject" });
    await seedApprovalOutcome(db, approval.id, { status: "rejected" });
    expect(await recordTimeouts(db, [approval.id])).toBe(1);
    expect(await recordTimeouts(db, [approval.id])).toBe(0);
    const entry = await db.prisma.auditEntry.findFirstOrThrow({
      where: { targetId: approval.id, action: "approval.timed_out" },
    });
    expect(entry.actorLabel).toBe("system");
  });
});
