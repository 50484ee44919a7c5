import { defineNodeVisual, plural } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z",
  colour: "#dc2626",
  facts: (c) => {
    const checks = Array.isArray(c.checks) ? (c.checks as { type?: string }[]) : [];
    return [
      checks.length ? `${plural(checks.length, "check")}: ${checks.map((x) => x.type).join(", ")}` : "No checks yet",
      c.onFail === "escalate" ? "On failure: ask a person" : "On failure: fail",
    ];
  },
});
