import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M4 7h14l-3-3 M20 17H6l3 3",
  colour: "#2563eb",
  facts: (c) => [c.expression ? str(c.expression, 44) : "No expression yet"],
});
