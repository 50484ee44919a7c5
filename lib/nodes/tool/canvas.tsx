import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M14.7 6.3a4 4 0 0 0-5.4 5.4L3 18l3 3 6.3-6.3a4 4 0 0 0 5.4-5.4l-2.5 2.5-2.4-.6-.6-2.4z",
  colour: "#9333ea",
  facts: (c) => [c.tool ? `${str(c.server, 20)} · ${str(c.tool, 24)}` : "No tool chosen"],
});
