import { defineNodeVisual, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20z M2 12h20 M12 2a15 15 0 0 1 0 20 15 15 0 0 1 0-20z",
  colour: "#475569",
  facts: (c) =>
    [
      `${String(c.method ?? "GET")} ${c.url ? str(c.url, 38) : "(no URL)"}`,
      c.credential ? `Credential: ${str(c.credential, 24)}` : "",
    ].filter(Boolean),
});
