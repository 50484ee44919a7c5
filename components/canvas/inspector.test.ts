import { describe, expect, it } from "vitest";
import type { CanvasEdge, CanvasNode } from "@/lib/canvas/types";
import { availableVariables } from "./inspector";

const node = (id: string, type: string, config: Record<string, unknown> = {}): CanvasNode => ({
  id,
  type,
  position: { x: 0, y: 0 },
  data: { name: id === "start" ? "Start" : undefined, config },
});
const edge = (source: string, target: string): CanvasEdge => ({ id: `${source}-${target}`, source, target });

describe("variables the inspector offers", () => {
  it("lists the input, upstream outputs (not notes) and vars written by set and agent nodes", () => {
    const nodes = [
      node("start", "trigger", { kind: "manual" }),
      node("remember", "set", { vars: { customer: "{{ input.name }}" } }),
      node("triage", "agent", { writes: { priority: "{{ output.priority }}" } }),
      node("hint", "note", { text: "hi" }),
      node("reply", "agent", {}),
    ];
    const edges = [
      edge("start", "remember"),
      edge("remember", "triage"),
      edge("hint", "reply"),
      edge("triage", "reply"),
    ];
    const paths = availableVariables("reply", nodes, edges, { properties: { name: { title: "Name" } } }).map(
      (v) => v.path,
    );
    expect(paths).toEqual([
      "input",
      "input.name",
      "nodes.triage.output",
      "nodes.remember.output",
      "nodes.start.output",
      "vars.customer",
      "vars.priority",
    ]);
  });
});
