// What an expression reads after a resume, on the real databases: a failed step that follows its
// error edge keeps its error output across a pause (it is stored on the step row), and every node
// type's outcomes look the same to an expression before and after a pause, once they went
// through the database's JSON columns and a new execution rebuilt its context from the rows.
import { afterEach, describe, expect, it } from "vitest";
import { seedWorkflowVersion } from "../db/fixtures";
import { TEST_DATABASES } from "../db/testing";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { OUTCOME_CASES, outcomeDocument, runThroughPause, stubFetcher } from "../engine/testing/outcome-cases";
import { createRuntime } from "./engine";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => {});
});

/** An http node that fails (egress denied) → its error edge → an approval → an end that reads the error. */
const ERROR_THEN_APPROVAL = workflow(
  [
    trigger(),
    node("h", "http", { url: "http://127.0.0.1:9/never" }),
    node("ok", "end", { output: "reached" }),
    node("ask", "approval", { title: "Carry on after the failed call?", timeoutMs: null }),
    node("done", "end", { output: { code: "{{ nodes.h.output.error.code }}" } }),
  ],
  [edge("start", "h"), edge("h", "ok"), edge("h", "ask", "error"), edge("ask", "done", "approved")],
  { name: "Error output through a pause" },
);

describe.each(TEST_DATABASES)("values read after a resume on $name", ({ open }) => {
  it("a failed step's error output survives an approval pause and a new executor", async () => {
    const db = await open();
    cleanups.push(() => db.dispose());
    const ids = await seedWorkflowVersion(db, ERROR_THEN_APPROVAL);
    const first = createRuntime(db, { role: "test", owner: "first" });
    cleanups.push(() => first.close());

    const paused = await first.engine.execute({ document: ERROR_THEN_APPROVAL, ...ids }, {});
    expect(paused.status).toBe("waiting");

    // Another process decides and carries the run on: its context comes from the rows.
    const second = createRuntime(db, { role: "test", owner: "second" });
    cleanups.push(() => second.close());
    const done = await second.engine.decide(paused.approvals[0]!.id, { decision: "approve", by: "tester" });
    expect(done.status).toBe("succeeded");
    expect(done.output).toEqual({ code: "egress_denied" });
    // The step row itself holds the error output the error edge was taken with.
    const h = (await second.store.listSteps(paused.runId)).find((s) => s.nodeId === "h");
    expect(h).toMatchObject({ status: "failed", output: { error: { code: "egress_denied" } } });
  }, 60_000);

  it("a number stored in a JSON column reads back as a number, not a BigInt", async () => {
    const db = await open();
    cleanups.push(() => db.dispose());
    const document = workflow(
      [
        trigger(),
        node("count", "transform", { expression: "1 + 1" }),
        node("ask", "approval", { title: "go on?", timeoutMs: null }),
        node("done", "end", { output: "{{ nodes.count.output * 10 }}" }),
      ],
      [edge("start", "count"), edge("count", "ask"), edge("ask", "done", "approved")],
    );
    const ids = await seedWorkflowVersion(db, document);
    const rt = createRuntime(db, { role: "test" });
    cleanups.push(() => rt.close());
    const paused = await rt.engine.execute({ document, ...ids }, {});
    const done = await rt.engine.decide(paused.approvals[0]!.id, { decision: "approve", by: "tester" });
    expect(done.status, JSON.stringify(done.error)).toBe("succeeded");
    const stored = await rt.engine.getResult(done.runId);
    expect(typeof stored!.output).toBe("number");
    expect(stored!.output).toBe(20);
    expect(stored!.steps.find((s) => s.nodeId === "count")!.output).toBe(2);
  }, 60_000);

  it("every node type's outcomes read the same before and after a pause", async () => {
    const db = await open();
    cleanups.push(() => db.dispose());
    // Subworkflows need published versions: the memory-store test covers them.
    for (const c of OUTCOME_CASES.filter((x) => !x.child)) {
      const document = outcomeDocument(c);
      const ids = await seedWorkflowVersion(db, document);
      const rt = createRuntime(db, { role: "test", http: c.http ? stubFetcher(c.http) : undefined });
      cleanups.push(() => rt.close());
      const { result, before, after } = await runThroughPause(
        rt.engine,
        () => rt.engine.execute({ document, ...ids }, c.input ?? {}),
        c,
        (runId) => rt.store.listApprovals({ runId, status: "pending" }),
      );
      expect(result.status, `${c.name}: ${JSON.stringify(result.error)}`).toBe("succeeded");
      expect(after, c.name).toEqual(before);
    }
  }, 120_000);
});
