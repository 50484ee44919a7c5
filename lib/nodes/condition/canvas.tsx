import { defineNodeVisual, plural } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M6 3v12 M18 9a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M6 21a3 3 0 1 0 0-6 3 3 0 0 0 0 6z M18 9a9 9 0 0 1-9 9",
  colour: "#0891b2",
  facts: (c) => {
    const cases = Array.isArray(c.cases) ? (c.cases as { handle?: string }[]) : [];
    return [plural(cases.length, "case"), `Otherwise: ${String(c.default ?? "default")}`];
  },
});
