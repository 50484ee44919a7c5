import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M4 22V4 M4 4h12l-2 4 2 4H4",
  colour: "#334155",
  facts: (c) => {
    const out = c.output;
    if (out && typeof out === "object" && !Array.isArray(out))
      return [`Output: ${str(Object.keys(out).join(", "), 36)}`];
    return [out === undefined ? "Output: the previous step's result" : `Output: ${str(out, 36)}`];
  },
});
