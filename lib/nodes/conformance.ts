/**
 * The conformance checks every node type must pass (run for each registered type by
 * conformance.test.ts). Each check returns readable problems, so a failing type says what to fix.
 * Test support: it reads the parts it is given and imports no node type.
 */
import { z } from "zod";
import type { NodeVisual } from "@/lib/canvas/node-visual";
import type { Executor } from "@/lib/contracts/node";
import { HANDLE_PATTERN, type NodeDefinition } from "@/lib/contracts/node-definition";
import { migrateConfig } from "@/lib/contracts/node-migrations";

export const CONFORMANCE_CHECKS = [
  "identity",
  "defaults",
  "outcomes",
  "migrations",
  "docs",
  "editor",
  "canvas",
  "executor",
] as const;

export type ConformanceCheck = (typeof CONFORMANCE_CHECKS)[number];

export interface NodeTypeParts {
  // biome-ignore lint/suspicious/noExplicitAny: each definition is typed by its own config
  definition: NodeDefinition<string, any>;
  visual: NodeVisual | undefined;
  // biome-ignore lint/suspicious/noExplicitAny: each executor is typed by its own config
  executor: Executor<any> | undefined;
}

type Problems = string[];

const json = (v: unknown) => JSON.stringify(v);

function configProperties(def: NodeDefinition): Set<string> {
  try {
    const schema = z.toJSONSchema(def.configSchema as z.ZodType, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<string, { description?: string }>;
    };
    return new Set(Object.keys(schema.properties ?? {}));
  } catch {
    return new Set();
  }
}

/** The defaults, parsed when they parse (types with `mustFill` fields start incomplete). */
function startingConfig(def: NodeDefinition): unknown {
  const parsed = def.configSchema.safeParse(def.defaults);
  return parsed.success ? parsed.data : def.defaults;
}

const checks: Record<ConformanceCheck, (parts: NodeTypeParts) => Problems> = {
  identity({ definition: d }) {
    const out: Problems = [];
    if (!/^[a-z][a-z0-9_-]{0,63}$/.test(d.type)) out.push(`type "${d.type}" must be a lower-case id`);
    if (!d.label.trim()) out.push("label is empty");
    if (!d.description.trim() || d.description.includes("\n")) out.push("description must be one non-empty line");
    if (!d.icon.trim()) out.push("icon is empty");
    if (!Number.isInteger(d.defaultMaxAttempts) || d.defaultMaxAttempts < 1 || d.defaultMaxAttempts > 20)
      out.push(`defaultMaxAttempts ${d.defaultMaxAttempts} must be a whole number from 1 to 20`);
    return out;
  },

  defaults({ definition: d }) {
    const out: Problems = [];
    if (json(JSON.parse(json(d.defaults))) !== json(d.defaults)) out.push("defaults are not plain JSON");
    const props = configProperties(d);
    for (const f of d.mustFill ?? []) if (!props.has(f)) out.push(`mustFill names "${f}", which is not a config field`);
    const parsed = d.configSchema.safeParse(d.defaults);
    if (!parsed.success) {
      const allowed = new Set(d.mustFill ?? []);
      for (const issue of parsed.error.issues) {
        if (!allowed.has(String(issue.path[0])))
          out.push(`defaults do not parse at "${issue.path.join(".")}": ${issue.message}`);
      }
      return out;
    }
    if ((d.mustFill ?? []).length > 0) out.push("defaults parse, so mustFill should be empty");
    const again = d.configSchema.safeParse(parsed.data);
    if (!again.success || json(again.data) !== json(parsed.data))
      out.push("parsing the parsed defaults again gives something else");
    return out;
  },

  outcomes({ definition: d }) {
    const out: Problems = [];
    let outcomes: string[];
    let primary: string | null;
    try {
      const config = startingConfig(d);
      outcomes = d.outcomes(config);
      primary = d.primaryOutcome(config);
    } catch (error) {
      return [`outcomes of the defaults throw: ${(error as Error).message}`];
    }
    if (new Set(outcomes).size !== outcomes.length) out.push(`outcomes repeat: ${json(outcomes)}`);
    for (const o of outcomes) if (!HANDLE_PATTERN.test(o)) out.push(`outcome "${o}" is not a valid handle`);
    if (outcomes.length === 0 && primary !== null) out.push(`no outcomes, but the primary outcome is "${primary}"`);
    if (outcomes.length > 0 && (primary === null || !outcomes.includes(primary)))
      out.push(`primary outcome ${json(primary)} is not one of the outcomes ${json(outcomes)}`);
    if (d.errorOutcome !== undefined && !outcomes.includes(d.errorOutcome))
      out.push(`errorOutcome "${d.errorOutcome}" is not one of the outcomes ${json(outcomes)}`);
    if (d.inert && outcomes.length > 0) out.push("an inert type cannot have outcomes");
    return out;
  },

  migrations({ definition: d }) {
    const out: Problems = [];
    if (!Number.isInteger(d.configVersion) || d.configVersion < 1)
      return [`configVersion ${d.configVersion} must be a whole number from 1`];
    if (d.migrations.length !== d.configVersion - 1)
      out.push(
        `configVersion ${d.configVersion} needs ${d.configVersion - 1} migration(s) (1→2 … →${d.configVersion}); there are ${d.migrations.length}`,
      );
    d.migrations.forEach((m, i) => {
      if (m.from !== i + 1 || m.to !== i + 2)
        out.push(`migration ${i} ("${m.name}") goes ${m.from}→${m.to}; it should go ${i + 1}→${i + 2}`);
      if (!/^[a-z0-9][a-z0-9.-]*$/.test(m.name)) out.push(`migration ${i} needs a kebab-case name, not "${m.name}"`);
    });
    const names = d.migrations.map((m) => m.name);
    if (new Set(names).size !== names.length) out.push(`migration names repeat: ${json(names)}`);
    // A node without `version` counts as 1, so a config already in the current shape must come
    // through the whole chain unchanged.
    const result = migrateConfig(d, structuredClone(d.defaults) as Record<string, unknown>, 1);
    if (!result.ok) out.push(`migrating the defaults from version 1 fails: ${result.message}`);
    else {
      if (result.version !== d.configVersion) out.push(`the chain ends at ${result.version}, not ${d.configVersion}`);
      if (json(result.config) !== json(d.defaults))
        out.push(`the chain changes a config already in the current shape: ${json(result.config)}`);
    }
    return out;
  },

  docs({ definition: d }) {
    const out: Problems = [];
    if (d.docs.trim().length < 40) out.push("docs are missing (a few sentences for the inspector and the format docs)");
    const schema = z.toJSONSchema(d.configSchema as z.ZodType, { io: "input", unrepresentable: "any" }) as {
      properties?: Record<string, { description?: string }>;
    };
    for (const [field, p] of Object.entries(schema.properties ?? {})) {
      if (!d.docs.includes(`\`${field}\``) && !p.description?.trim())
        out.push(`config field "${field}" is documented nowhere: name it in docs or .describe() it`);
    }
    return out;
  },

  editor({ definition: d }) {
    const out: Problems = [];
    const hooks = d.editor ?? {};
    const props = configProperties(d);
    const fields = [
      ...Object.keys(hooks.fieldLabels ?? {}),
      ...(hooks.multilineFields ?? []),
      ...Object.keys(hooks.expressionFields ?? {}),
      ...Object.keys(hooks.choiceFields ?? {}),
      ...Object.keys(hooks.fieldEditors ?? {}),
    ];
    for (const f of fields) if (!props.has(f)) out.push(`editor hooks name "${f}", which is not a config field`);
    const config = startingConfig(d);
    for (const o of Object.keys(hooks.outcomesToConnect ?? {}))
      if (!d.outcomes(config).includes(o)) out.push(`outcomesToConnect names "${o}", which is not an outcome`);
    try {
      for (const e of d.expressions(config)) {
        const key = e.path.split(/[.[]/)[0];
        if (!props.has(key)) out.push(`expression path "${e.path}" is not inside a config field`);
      }
    } catch (error) {
      out.push(`expressions of the defaults throw: ${(error as Error).message}`);
    }
    if (hooks.draftOutcomes) {
      const draft = hooks.draftOutcomes(structuredClone(d.defaults) as Record<string, unknown>);
      const real = { outcomes: d.outcomes(config), primary: d.primaryOutcome(config) };
      if (json([...draft.outcomes].sort()) !== json([...real.outcomes].sort()) || draft.primary !== real.primary)
        out.push(`draftOutcomes of the defaults ${json(draft)} disagree with outcomes ${json(real)}`);
    }
    if (hooks.writesVars) {
      const names = hooks.writesVars(structuredClone(d.defaults) as Record<string, unknown>);
      if (!Array.isArray(names) || names.some((n) => typeof n !== "string"))
        out.push("writesVars must return a list of names");
      for (const draft of [{}, { vars: "x", writes: 3 }]) {
        try {
          hooks.writesVars(draft);
        } catch {
          out.push(`writesVars throws on the draft ${json(draft)}`);
        }
      }
    }
    return out;
  },

  canvas({ definition: d, visual }) {
    if (!visual) return ["no canvas visual (lib/nodes/<type>/canvas.tsx, listed in canvas-registry.ts)"];
    const out: Problems = [];
    if (!/^[MmLlHhVvCcSsQqTtAaZz][MmLlHhVvCcSsQqTtAaZz0-9.,\s-]*$/.test(visual.icon))
      out.push("the visual's icon is not SVG path data");
    if (!/^#[0-9a-fA-F]{6}$/.test(visual.colour)) out.push(`the visual's colour "${visual.colour}" is not #rrggbb`);
    for (const config of [structuredClone(d.defaults) as Record<string, unknown>, {}]) {
      try {
        const facts = visual.facts(config);
        if (!Array.isArray(facts) || facts.length > 3 || facts.some((f) => typeof f !== "string"))
          out.push(`facts(${json(config)}) must be at most three strings`);
      } catch (error) {
        out.push(`facts(${json(config)}) throws (drafts are incomplete): ${(error as Error).message}`);
      }
    }
    return out;
  },

  executor({ definition: d, executor }) {
    if (!executor) return ["no executor (lib/nodes/<type>/executor.ts, listed in executors.ts)"];
    if (typeof executor.run !== "function") return ["the executor has no run()"];
    const resumes = typeof executor.resume === "function";
    if (d.canWait && !resumes) return ["canWait is set, but the executor has no resume() to continue after the wait"];
    if (!d.canWait && resumes) return ["the executor has resume(), but canWait is not set, so nothing ever wakes it"];
    return [];
  },
};

/** Problems of one node type under one check (empty: it conforms). */
export function conformanceProblems(check: ConformanceCheck, parts: NodeTypeParts): string[] {
  try {
    return checks[check](parts);
  } catch (error) {
    return [`the ${check} check threw: ${error instanceof Error ? error.message : String(error)}`];
  }
}
