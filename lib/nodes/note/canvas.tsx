import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M15 3H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V9z M15 3v6h6",
  colour: "#ca8a04",
  facts: (c) => [str(c.text, 200)],
});
