import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M4 6h16 M4 12h16 M4 18h10",
  colour: "#0d9488",
  facts: (c) => {
    const names = Object.keys((c.vars as Record<string, unknown>) ?? {});
    return [names.length ? `Sets ${str(names.join(", "), 40)}` : "Sets nothing yet"];
  },
});
