// Palette search that knows the words people type: "if" finds Condition, "code" Transform,
// "webhook" and "schedule" the Trigger, "llm" or "gpt" the Agent, "approve" the Approval.
// Matches on the type's label and description too; best matches first.

/** Words people use for each step type (lower case; a query matches a word it starts). */
export const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  trigger: ["start", "webhook", "schedule", "cron", "timer", "form", "manual", "event", "begin", "entry"],
  agent: [
    "llm",
    "gpt",
    "ai",
    "model",
    "prompt",
    "chat",
    "claude",
    "openai",
    "anthropic",
    "assistant",
    "bot",
    "generate",
  ],
  approval: ["approve", "review", "human", "person", "sign off", "hitl", "decide", "manager", "check", "confirm"],
  condition: ["if", "else", "branch", "switch", "route", "router", "decision", "when", "case", "filter"],
  transform: ["code", "script", "function", "map", "jsonata", "expression", "convert", "format", "reshape", "compute"],
  http: ["api", "request", "rest", "fetch", "url", "call", "post", "get", "endpoint", "webhook out"],
  tool: ["mcp", "tool", "integration", "plugin", "action"],
  guardrail: ["guard", "safety", "moderation", "policy", "pii", "validate", "block", "filter content"],
  set: ["variable", "var", "assign", "store", "remember", "save value", "state"],
  subworkflow: ["sub", "call workflow", "nested", "reuse", "child", "workflow"],
  a2a: ["remote agent", "agent to agent", "delegate", "external agent"],
  end: ["finish", "stop", "return", "output", "result", "done", "exit"],
  note: ["comment", "sticky", "text", "annotation", "memo"],
};

export interface SearchableType {
  type: string;
  label: string;
  description: string;
}

/**
 * The types matching `query`, best first: a label that starts with it, then a synonym that
 * starts with it, then the query anywhere in the label, a synonym or the description.
 * An empty query keeps every type in its order.
 */
export function searchStepTypes<T extends SearchableType>(types: readonly T[], query: string): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return [...types];
  const scored: { t: T; score: number; i: number }[] = [];
  types.forEach((t, i) => {
    const label = t.label.toLowerCase();
    const words = [t.type.toLowerCase(), ...(SYNONYMS[t.type] ?? [])];
    let score = 0;
    if (label === q || t.type.toLowerCase() === q) score = 100;
    else if (words.includes(q)) score = 90;
    else if (label.startsWith(q) || label.split(/\s+/).some((w) => w.startsWith(q))) score = 80;
    else if (words.some((w) => w.startsWith(q))) score = 70;
    else if (label.includes(q)) score = 50;
    else if (words.some((w) => w.includes(q)) && q.length >= 3) score = 40;
    else if (t.description.toLowerCase().includes(q) && q.length >= 3) score = 20;
    if (score > 0) scored.push({ t, score, i });
  });
  return scored.sort((a, b) => b.score - a.score || a.i - b.i).map((x) => x.t);
}
