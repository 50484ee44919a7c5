import { describe, expect, it } from "vitest";
import { configErrors, expressionKinds, fieldsFor } from "./fields";

describe("inspector fields from the zod config schema", () => {
  it("derives the agent form", () => {
    const fields = Object.fromEntries(fieldsFor("agent").map((f) => [f.key, f]));
    expect(fields.prompt.kind).toBe("textarea");
    expect(fields.routing).toMatchObject({ kind: "select", options: ["all", "choose"] });
    expect(fields.maxTurns.kind).toBe("number");
    expect(fields.useConversation.kind).toBe("boolean");
    expect(fields.outputSchema.kind).toBe("json");
  });

  it("derives selects, lists and nullable numbers for approvals", () => {
    const fields = Object.fromEntries(fieldsFor("approval").map((f) => [f.key, f]));
    expect(fields.title).toMatchObject({ kind: "text", required: true });
    expect(fields.onTimeout.options).toEqual(["reject", "approve", "escalate"]);
    expect(fields.timeoutMs.kind).toBe("nullableNumber");
    expect(fields.assignees.kind).toBe("json");
    // …but edited with purpose-built controls, not JSON
    expect(fields.assignees.editor).toBe("assignees");
    expect(fields.timeoutMs.editor).toBe("duration");
    expect(Object.fromEntries(fieldsFor("http").map((f) => [f.key, f.editor]))).toMatchObject({
      headers: "keyValue",
      query: "keyValue",
    });
    expect(Object.fromEntries(fieldsFor("condition").map((f) => [f.key, f.editor])).cases).toBe("cases");
    expect(Object.fromEntries(fieldsFor("guardrail").map((f) => [f.key, f.editor])).checks).toBe("checks");
  });

  it("says what is wrong in plain words, next to the field", () => {
    expect(configErrors("approval", { title: "x", timeoutMs: 5 }).timeoutMs).toEqual([
      "Enter a duration like 2 days or 4 hours (at least 1 second).",
    ]);
    expect(configErrors("approval", { title: "x", timeoutMs: "2 days" }).timeoutMs).toEqual([
      "Enter a duration like 2 days or 4 hours.",
    ]);
    expect(configErrors("approval", { title: "" }).title).toEqual(["Fill this in."]);
    expect(configErrors("approval", {}).title).toEqual(["Fill this in."]);
    expect(configErrors("approval", { title: "x", onTimeout: "later" }).onTimeout).toEqual([
      "Choose one of: reject, approve, escalate.",
    ]);
    expect(configErrors("condition", { cases: [] }).cases).toEqual(["Add at least one."]);
    expect(configErrors("condition", { cases: [{ handle: "a", when: "" }] }).cases).toEqual(["Row 1: Fill this in."]);
    expect(configErrors("http", { url: "https://x", headers: { "bad name": "v" } }).headers).toEqual([
      '"bad name" must be a valid header name.',
    ]);
    // a definition's own message passes through
    expect(configErrors("approval", { title: "x", assignees: { roles: [], users: [] } }).assignees).toEqual([
      "Name at least one role or user who can decide.",
    ]);
    // nothing in zod's own wording
    for (const messages of Object.values(configErrors("guardrail", { checks: [{ type: "maxLength" }], timeoutMs: 1 })))
      for (const m of messages) expect(m).not.toMatch(/Invalid input|expected \w+, received/);
  });

  it("reports config errors by field, with messages from the schema", () => {
    const errors = configErrors("approval", { title: "" });
    expect(Object.keys(errors)).toContain("title");
    expect(configErrors("agent", { model: "simulated", prompt: "hi" })).toEqual({});
    expect(configErrors("nope", {})[""][0]).toMatch(/Unknown/);
  });

  it("knows which fields take templates and expressions", () => {
    expect(expressionKinds("agent", { prompt: "x" }).prompt).toBe("template");
    expect(expressionKinds("transform", {}).expression).toBe("expression");
  });
});
