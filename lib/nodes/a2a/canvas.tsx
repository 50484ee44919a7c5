import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M22 2 11 13 M22 2l-7 20-4-9-9-4 20-7z",
  colour: "#be185d",
  facts: (c) => {
    let host = "";
    try {
      host = c.agentCardUrl ? new URL(String(c.agentCardUrl)).host : "";
    } catch {
      host = str(c.agentCardUrl, 30);
    }
    return [host ? `Agent at ${host}` : "No agent card URL"];
  },
});
