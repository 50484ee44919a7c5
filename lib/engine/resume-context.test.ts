// What an expression reads after a resume is what was committed: each node type's outcomes run
// through a pause (a new execution rebuilds its context from the stored rows), and what the
// probes saw before and after the pause must be equal. Memory store here; the real databases in
// lib/runtime/resume-outputs.test.ts.
import { describe, expect, it } from "vitest";
import { createTestEngine } from "@/lib/testing/test-engine";
import { createMemoryStore } from "./testing/memory-store";
import { OUTCOME_CASES, outcomeDocument, runThroughPause, stubFetcher } from "./testing/outcome-cases";

describe("every value an expression reads is the same before and after a pause", () => {
  it.each(OUTCOME_CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const store = createMemoryStore();
    const t = createTestEngine({
      store,
      http: c.http ? stubFetcher(c.http) : undefined,
      workflows: c.child ? { child: c.child } : undefined,
    });
    const { result, before, after } = await runThroughPause(
      t.engine,
      () => t.engine.execute({ document: outcomeDocument(c) }, c.input ?? {}),
      c,
      async (runId) => store.listApprovals({ runId, status: "pending" }),
    );
    expect(result.status, JSON.stringify(result.error)).toBe("succeeded");
    const subject = (before.nodes as Record<string, { status: string; output: unknown }>)[
      c.nodes.length ? "subject" : "start"
    ];
    expect(subject).toMatchObject(c.expect.output === undefined ? { status: c.expect.status } : c.expect);
    expect(after).toEqual(before);
  });
});
