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
