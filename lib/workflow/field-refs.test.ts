import { describe, expect, it } from "vitest";
import { edge, node, workflow } from "@/lib/engine/testing/builders";
import { validateWorkflow } from "./validate";

const input = { type: "object", properties: { subject: { type: "string" }, body: { type: "string" } } };

function doc(prompt: string, withInput: unknown = input) {
  return workflow(
    [
      node("start", "trigger", { kind: "manual" }),
      node("classify", "agent", {
        model: "simulated",
        prompt: "{{ input.subject }}",
        outputSchema: { type: "object", properties: { urgency: { type: "string" } } },
      }),
      node("done", "end", { output: { v: prompt } }),
    ],
    [edge("start", "classify"), edge("classify", "done")],
    withInput === null ? {} : { input: withInput as never },
  );
}

describe("templates name fields that exist", () => {
  it("accepts declared input fields and declared output fields", () => {
    expect(validateWorkflow(doc("{{ input.body }} {{ nodes.classify.output.urgency }}")).issues).toEqual([]);
  });

  it("names a missing input field", () => {
    const r = validateWorkflow(doc("{{ input.customer }}"));
    expect(r.valid).toBe(false);
    expect(r.issues).toEqual([
      expect.objectContaining({
        nodeId: "done",
        path: "nodes[2].config.output.v",
        message: expect.stringContaining('input field "customer"'),
      }),
    ]);
  });

  it("names a missing field of a node's declared output", () => {
    const r = validateWorkflow(doc("{{ $lowercase(nodes.classify.output.priority) }}"));
    expect(r.issues).toEqual([
      expect.objectContaining({ message: expect.stringContaining('output field "priority"') }),
    ]);
  });

  it("says nothing when the workflow declares no input fields", () => {
    expect(validateWorkflow(doc("{{ input.anything }}", null)).issues).toEqual([]);
  });
});
