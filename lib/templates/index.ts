// The built-in templates: the seed loads them as demo workflows and "New from template" offers
// them. Each is a complete workflow format v1 document that runs on the simulated model.
import budgetCapped from "./budget-capped-agent.json";
import draftApproveSend from "./draft-approve-send.json";
import guardrail from "./guardrail-escalation.json";
import parallel from "./parallel-specialists.json";
import research from "./research-write-review.json";
import support from "./support-triage.json";
import webhook from "./webhook-intake.json";

export interface Template {
  id: string;
  name: string;
  description: string;
  document: Record<string, unknown> & { name: string; description?: string; nodes: unknown[] };
}

const entries: [string, Template["document"]][] = [
  ["draft-approve-send", draftApproveSend],
  ["support-triage", support],
  ["research-write-review", research],
  ["parallel-specialists", parallel],
  ["guardrail-escalation", guardrail],
  ["budget-capped-agent", budgetCapped],
  ["webhook-intake", webhook],
];

export const TEMPLATES: Template[] = entries.map(([id, document]) => ({
  id,
  name: document.name,
  description: document.description ?? "",
  document,
}));

export function getTemplate(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}
