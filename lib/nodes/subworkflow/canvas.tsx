import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M12 2 2 7l10 5 10-5-10-5z M2 17l10 5 10-5 M2 12l10 5 10-5",
  colour: "#4f46e5",
  facts: (c) => [c.workflow ? `${str(c.workflow, 30)} v${String(c.version ?? "latest")}` : "No workflow chosen"],
});
