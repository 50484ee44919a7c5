// The checklist's model warnings: a model without a price, a provider the workspace does not
// have; the simulated model and priced models raise none.
import { describe, expect, it } from "vitest";
import type { CanvasNode } from "@/lib/canvas/types";
import { type ModelChoiceView, modelWarnings, priceOf } from "./model-choices";

const choices: ModelChoiceView[] = [
  {
    provider: "simulated",
    kind: "simulated",
    models: [{ id: "simulated", model: "simulated", price: { inputPerMTok: 1, outputPerMTok: 2 } }],
  },
  {
    provider: "local",
    kind: "openai-compatible",
    models: [
      { id: "local:priced", model: "priced", price: { inputPerMTok: 0.5, outputPerMTok: 1.5 } },
      { id: "local:free", model: "free", price: null },
    ],
  },
];
const agent = (id: string, model: string) =>
  ({
    id,
    type: "agent",
    position: { x: 0, y: 0 },
    data: { name: id, config: { model, prompt: "x" } },
  }) as unknown as CanvasNode;

describe("model warnings", () => {
  it("warns about a model without a price and an unknown provider, nothing else", () => {
    const nodes = [
      agent("a", "simulated"),
      agent("b", "local:priced"),
      agent("c", "local:free"),
      agent("d", "local:not-listed"),
      agent("e", "gone:gpt-4o"),
      {
        id: "t",
        type: "transform",
        position: { x: 0, y: 0 },
        data: { config: { expression: "1" } },
      } as unknown as CanvasNode,
    ];
    const w = modelWarnings(nodes, choices);
    expect(w.map((x) => x.nodeId)).toEqual(["c", "d", "e"]);
    expect(w[0]!.message).toContain("has no price");
    expect(w[2]!.message).toContain("not configured");
    expect(modelWarnings(nodes, null)).toEqual([]);
  });

  it("prices a listed model, null for an unlisted one of a provider, undefined for the unknown", () => {
    expect(priceOf("local:priced", choices)).toEqual({ inputPerMTok: 0.5, outputPerMTok: 1.5 });
    expect(priceOf("local:other", choices)).toBeNull();
    expect(priceOf("gone:x", choices)).toBeUndefined();
  });
});
