import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M6 3l14 9-14 9V3z",
  colour: "#16a34a",
  facts: (c) => {
    const kind = String(c.kind ?? "manual");
    if (kind === "schedule") return [`Schedule ${str(c.cron)}`, str(c.timezone) || "UTC"].filter(Boolean);
    if (kind === "webhook") return ["Started by a webhook", c.secret ? "Signed deliveries only" : ""].filter(Boolean);
    if (kind === "chat") return ["Started by a chat message"];
    return ["Started by hand or the API"];
  },
});
