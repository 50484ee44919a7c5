// The inbox with the real engine and run store, on SQLite and PostgreSQL: restart between the
// pause and the decision, two concurrent decisions from two "processes", a deadline that passes
// while the server is down, and how soon the run continues after a decision (measured, printed,
// not asserted).
import { performance } from "node:perf_hooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decideWithoutWaitingForTheRun } from "@/lib/approvals/engine-adapter";
import { AppError } from "@/lib/contracts/app-errors";
import { type Db, openDb } from "@/lib/db/client";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { pinDocumentVersion } from "@/lib/db/workflows-store";
import { createRuntime, type Runtime } from "@/lib/runtime/engine";
import { decideApproval } from "./decide";
import { sweepApprovalDeadlines } from "./timeouts";

function workflow(name: string, approval: Record<string, unknown> = {}) {
  return {
    format: "switchboard.workflow/v1",
    name,
    input: { type: "object", properties: { amount: { type: "number" } }, required: ["amount"] },
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      {
        id: "approve",
        type: "approval",
        config: {
          title: "Refund {{ input.amount }}?",
          data: "{{ input }}",
          assignees: { roles: ["approver"], users: [] },
          allowEdit: true,
          editSchema: {
            type: "object",
            properties: { amount: { type: "number", maximum: 100 } },
            required: ["amount"],
          },
          timeoutMs: 3_600_000,
          onTimeout: "reject",
          ...approval,
        },
      },
      {
        id: "paid",
        type: "end",
        config: { output: { outcome: "approved", amount: "{{ nodes.approve.output.data.amount }}" } },
      },
      { id: "refused", type: "end", config: { output: { outcome: "rejected" } } },
    ],
    edges: [
      { source: "start", target: "approve" },
      { source: "approve", target: "paid", sourceHandle: "approved" },
      { source: "approve", target: "refused", sourceHandle: "rejected" },
    ],
  };
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function depsFor(db: Db, rt: Runtime) {
  return {
    db,
    engine: decideWithoutWaitingForTheRun(
      rt.engine,
      async (id) => (await db.prisma.approval.findUnique({ where: { id }, select: { status: true } }))?.status ?? null,
    ),
  };
}

describe.each(TEST_DATABASES)("inbox with the real engine on $name", ({ name, open }) => {
  let base: Awaited<ReturnType<typeof open>>;
  let fx: Fixture;
  const opened: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    base = await open();
    fx = await seedWorkspace(base);
  });
  afterAll(async () => {
    for (const o of opened.reverse()) await o.close().catch(() => {});
    await base?.dispose();
  });

  /** A new "process": its own database connection and engine on the same database. */
  async function newProcess(): Promise<{ db: Db; rt: Runtime }> {
    const db = await openDb(base.target);
    const rt = createRuntime(db, { role: "test" });
    opened.push({ close: () => db.close() }, { close: () => rt.close() });
    return { db, rt };
  }

  async function startWaitingRun(rt: Runtime, db: Db, doc: ReturnType<typeof workflow>, amount = 120) {
    const pinned = await pinDocumentVersion(db, { workspaceId: fx.workspaceId, document: doc });
    const result = await rt.engine.execute(
      {
        document: doc,
        workspaceId: fx.workspaceId,
        workflowId: pinned.workflowId,
        workflowVersionId: pinned.workflowVersionId,
      },
      { amount },
    );
    expect(result.status).toBe("waiting");
    const approval = await db.prisma.approval.findFirstOrThrow({ where: { runId: result.runId } });
    return { runId: result.runId, approvalId: approval.id };
  }

  it("resumes a run paused before a restart; the decision goes through the new process; audit + events", async () => {
    const first = await newProcess();
    const { runId, approvalId } = await startWaitingRun(first.rt, first.db, workflow(`restart-${name}`));
    await first.rt.close(); // the server stops while the run waits
    const second = await newProcess();
    const t0 = performance.now();
    await decideApproval(depsFor(second.db, second.rt), fx.users.approver, {
      approvalId,
      decision: "approve",
      data: { amount: 90 },
    });
    const decidedMs = performance.now() - t0;
    const decidedEvent = await second.db.prisma.runEvent.findFirstOrThrow({
      where: { runId, type: "approval.decided" },
    });
    const next = await waitFor(
      () =>
        second.db.prisma.runEvent.findFirst({
          where: { runId, seq: { gt: decidedEvent.seq } },
          orderBy: { seq: "asc" },
        }),
      (e) => e !== null,
    );
    const continuedMs = performance.now() - t0;
    const run = await waitFor(
      () => second.db.prisma.run.findUniqueOrThrow({ where: { id: runId } }),
      (r) => r.status === "succeeded",
    );
    expect(run.output).toEqual({ outcome: "approved", amount: 90 });
    console.log(
      `[inbox:${name}] decision committed in ${decidedMs.toFixed(1)} ms; run's next event (${next?.type}) visible ${continuedMs.toFixed(
        1,
      )} ms after the call; event clock gap ${next!.createdAt.getTime() - decidedEvent.createdAt.getTime()} ms`,
    );
    expect(
      await second.db.prisma.auditEntry.count({ where: { targetId: approvalId, action: "approval.decided" } }),
    ).toBe(1);
  });

  it("two processes decide at the same moment: exactly one wins, the other is told who and what", async () => {
    const a = await newProcess();
    const b = await newProcess();
    const { runId, approvalId } = await startWaitingRun(a.rt, a.db, workflow(`race-${name}`));
    const results = await Promise.allSettled([
      decideApproval(depsFor(a.db, a.rt), fx.users.approver, { approvalId, decision: "approve" }),
      decideApproval(depsFor(b.db, b.rt), fx.users.approver2, { approvalId, decision: "reject", reason: "Too much" }),
    ]);
    const winners = results.filter((r) => r.status === "fulfilled");
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(1);
    expect(losers[0].reason).toBeInstanceOf(AppError);
    expect((losers[0].reason as AppError).code).toBe("conflict:approval");
    const row = await a.db.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } });
    const winner = row.decidedById === fx.users.approver.userId ? fx.users.approver : fx.users.approver2;
    expect((losers[0].reason as AppError).message).toContain(winner.email);
    const run = await waitFor(
      () => a.db.prisma.run.findUniqueOrThrow({ where: { id: runId } }),
      (r) => r.status === "succeeded",
    );
    expect((run.output as { outcome: string }).outcome).toBe(row.status === "approved" ? "approved" : "rejected");
    expect(await a.db.prisma.runEvent.count({ where: { runId, type: "approval.decided" } })).toBe(1);
  });

  it("an invalid edit is refused by field and changes nothing; the engine never sees it", async () => {
    const p = await newProcess();
    const { approvalId } = await startWaitingRun(p.rt, p.db, workflow(`edit-${name}`));
    const err = await decideApproval(depsFor(p.db, p.rt), fx.users.approver, {
      approvalId,
      decision: "approve",
      data: { amount: 500 },
    }).catch((e) => e);
    expect((err as AppError).fieldErrors?.[0]).toMatchObject({ path: "data.amount" });
    expect((await p.db.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } })).status).toBe("pending");
  });

  it("a deadline that passed while the server was down: the start-up sweep applies onTimeout and audits it", async () => {
    const first = await newProcess();
    const { runId, approvalId } = await startWaitingRun(
      first.rt,
      first.db,
      workflow(`deadline-${name}`, { timeoutMs: 60_000, onTimeout: "reject" }),
    );
    await first.rt.close(); // down
    const deadline = (await first.db.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } })).deadlineAt!;
    const later = new Date(deadline.getTime() + 1000); // the server comes back after the deadline
    const second = await newProcess();
    await sweepApprovalDeadlines({ db: second.db, engine: second.rt.engine }, later);
    const row = await second.db.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row.status).toBe("expired");
    const run = await waitFor(
      () => second.db.prisma.run.findUniqueOrThrow({ where: { id: runId } }),
      (r) => r.status === "succeeded",
    );
    expect(run.output).toEqual({ outcome: "rejected" });
    const audit = await second.db.prisma.auditEntry.findMany({
      where: { targetId: approvalId, action: "approval.timed_out" },
    });
    expect(audit).toHaveLength(1);
    expect(audit[0].actorLabel).toBe("system");
    // Sweeping again changes nothing and audits nothing twice.
    await sweepApprovalDeadlines({ db: second.db, engine: second.rt.engine }, new Date(later.getTime() + 1000));
    expect(
      await second.db.prisma.auditEntry.count({ where: { targetId: approvalId, action: "approval.timed_out" } }),
    ).toBe(1);
    // A late decision is refused and says what happened.
    const late = await decideApproval(depsFor(second.db, second.rt), fx.users.approver, {
      approvalId,
      decision: "approve",
    }).catch((e) => e);
    expect((late as AppError).code).toBe("conflict:approval");
    expect((late as AppError).message).toMatch(/expire/);
  });

  it("escalates on timeout to the next level and audits the escalation", async () => {
    const p = await newProcess();
    const { approvalId } = await startWaitingRun(
      p.rt,
      p.db,
      workflow(`escalate-${name}`, {
        timeoutMs: 60_000,
        onTimeout: "escalate",
        escalateTo: [{ roles: ["admin"], users: [] }],
      }),
    );
    const deadline = (await p.db.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } })).deadlineAt!;
    await sweepApprovalDeadlines({ db: p.db, engine: p.rt.engine }, new Date(deadline.getTime() + 1));
    const row = await p.db.prisma.approval.findUniqueOrThrow({ where: { id: approvalId } });
    expect(row.status).toBe("pending");
    expect(row.escalationLevel).toBe(1);
    expect(row.assigneeRoles).toEqual(["admin"]);
    expect(await p.db.prisma.auditEntry.count({ where: { targetId: approvalId, action: "approval.timed_out" } })).toBe(
      1,
    );
    // The approver is no longer an assignee; the admin is.
    const refused = await decideApproval(depsFor(p.db, p.rt), fx.users.approver, {
      approvalId,
      decision: "approve",
    }).catch((e) => e);
    expect((refused as AppError).code).toBe("forbidden:approval");
  });

  it("measures how soon the run continues after a decision (warm process; printed, not asserted)", async () => {
    const p = await newProcess();
    const doc = workflow(`latency-${name}`);
    const deps = depsFor(p.db, p.rt);
    const toResumed: number[] = [];
    const toFinished: number[] = [];
    for (let i = 0; i < 12; i++) {
      const { runId, approvalId } = await startWaitingRun(p.rt, p.db, doc);
      const t0 = performance.now();
      await decideApproval(deps, fx.users.approver, { approvalId, decision: "approve" });
      await waitFor(
        () => p.db.prisma.runEvent.findFirst({ where: { runId, type: "run.resumed" }, select: { seq: true } }),
        (e) => e !== null,
      );
      const resumed = performance.now() - t0;
      await waitFor(
        () => p.db.prisma.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } }),
        (r) => r.status === "succeeded",
      );
      if (i >= 2) {
        toResumed.push(resumed);
        toFinished.push(performance.now() - t0);
      }
    }
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(1);
    const max = (xs: number[]) => Math.max(...xs).toFixed(1);
    console.log(
      `[inbox:${name}] warm, 10 decisions: call → run.resumed visible median ${med(toResumed)} ms (max ${max(toResumed)}); call → run succeeded median ${med(toFinished)} ms (max ${max(toFinished)})`,
    );
    expect(toResumed.length).toBe(10);
  });

  it("budget and guardrail escalations from the engine appear with their own detail and can be decided", async () => {
    const p = await newProcess();
    const deps = depsFor(p.db, p.rt);
    const budgetDoc = {
      format: "switchboard.workflow/v1",
      name: `budget-${name}`,
      limits: { maxTokens: 10 },
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        {
          id: "writer",
          type: "agent",
          config: {
            model: "simulated",
            prompt: "go",
            simulate: { output: "draft", usage: { inputTokens: 8, outputTokens: 4 } },
          },
        },
        {
          id: "editor",
          type: "agent",
          config: {
            model: "simulated",
            prompt: "go",
            simulate: { output: "final", usage: { inputTokens: 8, outputTokens: 4 } },
          },
        },
        { id: "done", type: "end", config: { output: { text: "{{ nodes.editor.output }}" } } },
      ],
      edges: [
        { source: "start", target: "writer" },
        { source: "writer", target: "editor" },
        { source: "editor", target: "done" },
      ],
    };
    const budget = await startWaitingRun(p.rt, p.db, budgetDoc as unknown as ReturnType<typeof workflow>);
    const { getApprovalDetail } = await import("@/lib/db/approvals");
    const bd = await getApprovalDetail(p.db, fx.workspaceId, budget.approvalId);
    expect(bd?.kind).toBe("budget");
    expect(bd?.payload).toMatchObject({ limitKind: "tokens", limit: 10, spent: 12 });
    // Approvers are not assigned budget escalations (admins are); an admin raises the limit.
    const refused = await decideApproval(deps, fx.users.approver, {
      approvalId: budget.approvalId,
      decision: "approve",
    }).catch((e) => e);
    expect((refused as AppError).code).toBe("forbidden:approval");
    await decideApproval(deps, fx.users.admin, {
      approvalId: budget.approvalId,
      decision: "approve",
      data: { maxTokens: 1000 },
    });
    const run = await waitFor(
      () => p.db.prisma.run.findUniqueOrThrow({ where: { id: budget.runId } }),
      (r) => r.status === "succeeded",
    );
    expect(run.output).toEqual({ text: "final" });

    const guardDoc = {
      format: "switchboard.workflow/v1",
      name: `guardrail-${name}`,
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        {
          id: "pii",
          type: "guardrail",
          config: {
            target: "{{ input.reply }}",
            checks: [
              { type: "regex", pattern: "[\\w.]+@[\\w.]+", mode: "forbid", message: "Contains an email address" },
            ],
            onFail: "escalate",
            assignees: { roles: ["approver"], users: [] },
          },
        },
        { id: "sent", type: "end", config: { output: { sent: "{{ nodes.pii.output }}" } } },
      ],
      edges: [
        { source: "start", target: "pii" },
        { source: "pii", target: "sent", sourceHandle: "pass" },
      ],
    };
    const pinned = await pinDocumentVersion(p.db, { workspaceId: fx.workspaceId, document: guardDoc });
    const gr = await p.rt.engine.execute(
      {
        document: guardDoc,
        workspaceId: fx.workspaceId,
        workflowId: pinned.workflowId,
        workflowVersionId: pinned.workflowVersionId,
      },
      { reply: "write to jane@example.com" },
    );
    expect(gr.status).toBe("waiting");
    const ga = await p.db.prisma.approval.findFirstOrThrow({ where: { runId: gr.runId } });
    const gd = await getApprovalDetail(p.db, fx.workspaceId, ga.id);
    expect(gd?.kind).toBe("guardrail");
    expect(gd?.failures.map((f) => f.message)).toEqual(["Contains an email address"]);
    expect(gd?.payload).toBe("write to jane@example.com");
    await decideApproval(deps, fx.users.approver, { approvalId: ga.id, decision: "approve" });
    const grRun = await waitFor(
      () => p.db.prisma.run.findUniqueOrThrow({ where: { id: gr.runId } }),
      (r) => r.status === "succeeded",
    );
    expect(grRun.output).toEqual({ sent: "write to jane@example.com" });
  });
});
