import { describe, expect, it } from "vitest";
import { findFlowWarnings } from "./flow-warnings";

const nodes = [
  { id: "start", type: "trigger" },
  { id: "review", type: "approval" },
  { id: "done", type: "end" },
  { id: "no", type: "end" },
];

describe("findFlowWarnings", () => {
  it("warns when an approval's rejected outcome leads nowhere", () => {
    const w = findFlowWarnings({
      nodes,
      edges: [
        { source: "start", sourceHandle: null },
        { source: "review", sourceHandle: "approved" },
      ],
    });
    expect(w).toEqual([
      { nodeId: "review", path: "review.outcomes.rejected", message: expect.stringContaining("ends as failed") },
    ]);
  });

  it("says nothing once rejected is connected, for a disabled step, or for unknown types", () => {
    expect(
      findFlowWarnings({
        nodes,
        edges: [
          { source: "review", sourceHandle: "approved" },
          { source: "review", sourceHandle: "rejected" },
        ],
      }),
    ).toEqual([]);
    expect(findFlowWarnings({ nodes: [{ id: "review", type: "approval", disabled: true }], edges: [] })).toEqual([]);
    expect(findFlowWarnings({ nodes: [{ id: "x", type: "nope" }], edges: [] })).toEqual([]);
  });
});
