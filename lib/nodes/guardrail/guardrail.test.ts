import { describe, expect, it } from "vitest";
import { runSingle } from "@/lib/testing/run-single";
import { guardrailConfigSchema } from "./definition";

const outcomes = {
  extraNodes: [
    { id: "ok", type: "end", config: { output: { passed: "{{ nodes.subject.output }}" } } },
    { id: "blocked", type: "end", config: { output: "{{ nodes.subject.output.failures.message }}" } },
  ],
  extraEdges: [
    { source: "subject", target: "ok", sourceHandle: "pass" },
    { source: "subject", target: "blocked", sourceHandle: "fail" },
  ],
};

describe("guardrail", () => {
  const checks = [
    {
      type: "jsonSchema",
      schema: { type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] },
    },
    { type: "expression", expression: "value.amount <= 500", message: "Refunds above 500 need a manager." },
    { type: "regex", pattern: "\\b\\d{16}\\b", mode: "forbid" },
    { type: "maxLength", max: 200 },
  ];

  it("passes data that meets every check", async () => {
    const { result } = await runSingle(
      "guardrail",
      { target: "{{ input }}", checks },
      { email: "a@b.co", amount: 20 },
      outcomes,
    );
    expect(result.output).toEqual({ passed: { email: "a@b.co", amount: 20 } });
  });

  it("reports each failed check on the fail outcome", async () => {
    const { result } = await runSingle(
      "guardrail",
      { target: "{{ input }}", checks },
      { email: "nope", amount: 900, note: "card 4111111111111111", pad: "x".repeat(300) },
      outcomes,
    );
    const messages = result.output as string[];
    expect(messages).toHaveLength(4);
    expect(messages[0]).toMatch(/value\.email: This must be a valid email/);
    expect(messages[1]).toBe("Refunds above 500 need a manager.");
    expect(messages[2]).toMatch(/forbidden pattern/);
    expect(messages[3]).toMatch(/more than 200/);
  });

  it("regex match mode and maxLength on text", async () => {
    const { result } = await runSingle(
      "guardrail",
      {
        target: "{{ input.code }}",
        checks: [
          { type: "regex", pattern: "^[A-Z]{3}-\\d+$", mode: "match" },
          { type: "maxLength", max: 5 },
        ],
      },
      { code: "ABC-12345" },
      outcomes,
    );
    expect(result.output).toMatch(/more than 5/); // a one-item JSONata sequence is the item itself
  });

  it("without a fail edge a failed check fails the run", async () => {
    const { result } = await runSingle("guardrail", { checks: [{ type: "maxLength", max: 1 }] }, { long: "text" });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "guardrail_failed" });
  });

  it("escalate: a person decides; approved data (possibly edited) passes", async () => {
    const { t, result } = await runSingle(
      "guardrail",
      { checks: [{ type: "expression", expression: "value.amount < 100" }], onFail: "escalate", timeoutMs: 60_000 },
      { amount: 250 },
      outcomes,
    );
    expect(result.status).toBe("waiting");
    const [a] = await t.store.listApprovals({ runId: result.runId });
    expect(a).toMatchObject({ kind: "guardrail", payload: { amount: 250 }, allowEdit: true });
    expect(a!.details).toMatch(/is not true/);
    const done = await t.engine.decide(a!.id, { decision: "approve", by: "m", data: { amount: 99 } });
    expect(done.output).toEqual({ passed: { amount: 99 } });
  });

  it("escalate: rejected goes to fail", async () => {
    const { t, result } = await runSingle(
      "guardrail",
      { checks: [{ type: "maxLength", max: 1 }], onFail: "escalate", timeoutMs: 60_000 },
      { a: 1 },
      outcomes,
    );
    const done = await t.engine.decide(result.approvals[0]!.id, { decision: "reject", by: "m" });
    expect(done.output).toBe("A person rejected the data.");
  });

  it("refuses an invalid regex when the workflow is validated", () => {
    const r = guardrailConfigSchema.safeParse({ checks: [{ type: "regex", pattern: "(" }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(["checks", 0, "pattern"]);
  });
});
