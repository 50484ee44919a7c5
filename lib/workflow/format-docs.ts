/**
 * docs/workflow-format.md: the hand-written guide below, plus one generated section per node type
 * built from its definition (label, description, docs, outcomes, config fields, defaults), so the
 * docs cannot drift from the code. `npm run schema:write` rewrites it; a test checks it is current.
 */
import { z } from "zod";
import { nodeDefinitions } from "@/lib/nodes/registry";

type JsonSchema = {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
};

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(" \\| ");
  if (s.const !== undefined) return `\`${JSON.stringify(s.const)}\``;
  const alts = s.anyOf ?? s.oneOf;
  if (alts) return alts.map(typeOf).join(" \\| ");
  if (Array.isArray(s.type)) return s.type.join(" \\| ");
  if (s.type === "array") return `list of ${s.items ? typeOf(s.items) : "values"}`;
  return s.type ?? "any JSON";
}

function configTable(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  const props = json.properties ?? {};
  const required = new Set(json.required ?? []);
  const rows = Object.entries(props).map(([name, p]) => {
    const def = p.default !== undefined ? `\`${JSON.stringify(p.default)}\`` : required.has(name) ? "**required**" : "";
    return `| \`${name}\` | ${typeOf(p)} | ${def} | ${(p.description ?? "").replace(/\|/g, "\\|").replace(/\n/g, " ")} |`;
  });
  if (rows.length === 0) return "No settings.";
  return ["| field | type | default | notes |", "|---|---|---|---|", ...rows].join("\n");
}

function configVersionLine(d: (typeof nodeDefinitions)[number]): string {
  if (d.migrations.length === 0) return `**Config version** ${d.configVersion}.`;
  const steps = d.migrations.map((m) => `\`${m.name}\` (${m.from} → ${m.to})`).join(", ");
  return `**Config version** ${d.configVersion}; older nodes are migrated on load by ${steps}.`;
}

export function nodeTypesMarkdown(): string {
  return nodeDefinitions
    .map((d) => {
      const outcomes = d.outcomes(d.defaults as never);
      const primary = d.primaryOutcome(d.defaults as never);
      const flags = [
        `attempts by default: ${d.defaultMaxAttempts}`,
        d.atMostOnce ? "at most once by default" : null,
        d.sideEffects ? "side effects: upstream results are made durable before it starts" : null,
        d.canWait ? "can make the run wait" : null,
        d.inert ? "ignored by the engine" : null,
      ].filter(Boolean);
      return [
        `### \`${d.type}\` — ${d.label}`,
        "",
        `${d.description} _(icon: \`${d.icon}\`, category: ${d.category})_`,
        "",
        d.docs,
        "",
        `**Outcomes** (\`sourceHandle\`): ${
          outcomes.length === 0
            ? "none — no outgoing edges"
            : `${outcomes.map((o) => `\`${o}\``).join(", ")}; an edge without a handle follows \`${primary}\``
        }${d.errorOutcome ? `; a failed step takes \`${d.errorOutcome}\` when it has edges` : ""}. ${flags.join("; ")}.`,
        "",
        configTable(d.configSchema as z.ZodType),
        "",
        configVersionLine(d),
        "",
        "New node defaults:",
        "",
        "```json",
        JSON.stringify(d.defaults, null, 2),
        "```",
      ].join("\n");
    })
    .join("\n\n");
}

const START = "<!-- node-types:start (generated from lib/nodes/*/definition.ts by `npm run schema:write`) -->";
const END = "<!-- node-types:end -->";

/** Replace the generated section inside the guide's text. */
export function withNodeTypes(guide: string): string {
  const a = guide.indexOf(START);
  const b = guide.indexOf(END);
  if (a < 0 || b < 0) throw new Error("docs/workflow-format.md lost its node-types markers");
  return `${guide.slice(0, a + START.length)}\n\n${nodeTypesMarkdown()}\n\n${guide.slice(b)}`;
}
