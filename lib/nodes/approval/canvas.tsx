import { defineNodeVisual, duration, str } from "@/lib/canvas/node-visual";

export const canvas = defineNodeVisual({
  icon: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M2 21v-2a4 4 0 0 1 4-4h6a4 4 0 0 1 4 4v2 M16 11l2 2 4-4",
  colour: "#d97706",
  facts: (c) => {
    const facts: string[] = [];
    if (c.title) facts.push(str(c.title, 40));
    const a = (c.assignees ?? {}) as { roles?: string[]; users?: string[] };
    // users are ids: count them rather than show ids
    const people = (a.users ?? []).length;
    const who = [
      ...(a.roles ?? []).map((r) => `${r}s`),
      ...(people ? [people === 1 ? "1 person" : `${people} people`] : []),
    ];
    facts.push(who.length ? `Asks: ${who.join(", ")}` : "Asks: admins");
    if (c.timeoutMs) facts.push(`Deadline ${duration(c.timeoutMs)}, then ${String(c.onTimeout ?? "reject")}`);
    else facts.push("No deadline");
    return facts;
  },
});
