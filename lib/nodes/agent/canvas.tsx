import { defineNodeVisual, plural, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M12 3l1.9 5.8L20 10.7l-5.1 3.7L16.8 21 12 17.3 7.2 21l1.9-6.6L4 10.7l6.1-1.9z",
  colour: "#7c3aed",
  facts: (c) => {
    const facts: string[] = [];
    const model = String(c.model ?? "simulated");
    facts.push(model === "simulated" ? "Model: simulated" : `Model: ${str(model, 32)}`);
    if (c.routing === "choose") facts.push("Hands off to one next step");
    const tools = Array.isArray(c.tools) ? c.tools.length : 0;
    if (tools) facts.push(plural(tools, "tool"));
    if (c.prompt) facts.push(`“${str(c.prompt, 40)}”`);
    else facts.push("No prompt yet");
    return facts.slice(0, 3);
  },
});
