import { describe, expect, it } from "vitest";
import { nodeCatalog } from "@/lib/nodes/canvas-registry";
import { searchStepTypes } from "./palette-search";

const types = nodeCatalog.types().map((t) => ({
  type: t,
  label: nodeCatalog.label(t),
  description: nodeCatalog.description(t),
}));
const first = (q: string) => searchStepTypes(types, q)[0]?.type;

describe("palette search knows what people type", () => {
  it.each([
    ["if", "condition"],
    ["else", "condition"],
    ["branch", "condition"],
    ["code", "transform"],
    ["script", "transform"],
    ["webhook", "trigger"],
    ["schedule", "trigger"],
    ["cron", "trigger"],
    ["llm", "agent"],
    ["gpt", "agent"],
    ["AI", "agent"],
    ["approve", "approval"],
    ["review", "approval"],
    ["api", "http"],
    ["mcp", "tool"],
    ["variable", "set"],
    ["finish", "end"],
    ["comment", "note"],
  ])("%s → %s", (q, type) => {
    expect(first(q)).toBe(type);
  });

  it("still finds by label and description, best first; an empty query keeps every type in order", () => {
    expect(first("Agent")).toBe("agent");
    expect(first("cond")).toBe("condition");
    expect(searchStepTypes(types, "").map((t) => t.type)).toEqual(types.map((t) => t.type));
    expect(searchStepTypes(types, "zzzz-nothing")).toEqual([]);
  });
});
