// Every registered node type against the conformance checks (./conformance.ts), plus proof that
// the checks catch a broken type. A new node type is covered by adding it to the registry.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { NodeDefinition } from "@/lib/contracts/node-definition";
import { nodeVisuals } from "./canvas-registry";
import { CONFORMANCE_CHECKS, conformanceProblems, type NodeTypeParts } from "./conformance";
import { executors } from "./executors";
import { NODE_TYPE_IDS, nodeDefinitions } from "./registry";
import { transformDefinition } from "./transform/definition";

const partsOf = (definition: (typeof nodeDefinitions)[number]): NodeTypeParts => ({
  definition,
  visual: nodeVisuals[definition.type],
  executor: executors[definition.type],
});

describe.each(nodeDefinitions.map((d) => [d.type, d] as const))("node type %s", (_type, definition) => {
  it.each(CONFORMANCE_CHECKS)("passes the %s check", (check) => {
    expect(conformanceProblems(check, partsOf(definition))).toEqual([]);
  });
});

describe("the registry", () => {
  it("has one definition, one visual and one executor per type, and nothing else", () => {
    expect(new Set(NODE_TYPE_IDS).size).toBe(NODE_TYPE_IDS.length);
    expect(Object.keys(nodeVisuals).sort()).toEqual([...NODE_TYPE_IDS].sort());
    expect(Object.keys(executors).sort()).toEqual([...NODE_TYPE_IDS].sort());
  });

  it("names every migration once across all types", () => {
    const names = nodeDefinitions.flatMap((d) => d.migrations.map((m) => m.name));
    expect(new Set(names).size).toBe(names.length);
  });
});

describe("the conformance checks can fail", () => {
  // a transform type broken in one way per check
  const base = transformDefinition as unknown as NodeDefinition<string, Record<string, unknown>>;
  const broken = (
    patch: Partial<NodeDefinition<string, Record<string, unknown>>>,
    parts: Partial<NodeTypeParts> = {},
  ) =>
    ({
      definition: { ...base, ...patch },
      visual: nodeVisuals.transform,
      executor: executors.transform,
      ...parts,
    }) as NodeTypeParts;

  it.each([
    ["identity", broken({ label: " " }), /label is empty/],
    ["defaults", broken({ defaults: { expression: 42 } }), /defaults do not parse at "expression"/],
    ["outcomes", broken({ primaryOutcome: () => "elsewhere" }), /primary outcome "elsewhere" is not one of/],
    ["outcomes", broken({ errorOutcome: "error" }), /errorOutcome "error" is not one of/],
    ["migrations", broken({ configVersion: 2 }), /needs 1 migration/],
    [
      "migrations",
      broken({
        configVersion: 2,
        migrations: [{ name: "drops-everything", from: 1, to: 2, up: () => ({}) }],
      }),
      /changes a config already in the current shape/,
    ],
    ["migrations", broken({ migrations: [{ name: "Bad Name", from: 2, to: 3, up: (c) => c }] }), /should go 1→2/],
    ["docs", broken({ docs: "" }), /docs are missing/],
    [
      "docs",
      broken({ configSchema: z.object({ expression: z.string(), window: z.number().optional() }) }),
      /"window" is documented nowhere/,
    ],
    ["editor", broken({ editor: { fieldLabels: { nope: "Nope" } } }), /"nope", which is not a config field/],
    [
      "editor",
      broken({ editor: { draftOutcomes: () => ({ outcomes: ["a"], primary: "a" }) } }),
      /draftOutcomes of the defaults .* disagree/,
    ],
    ["canvas", broken({}, { visual: undefined }), /no canvas visual/],
    [
      "canvas",
      broken({}, { visual: { ...nodeVisuals.transform, facts: (c) => [String((c.expression as string).length)] } }),
      /throws \(drafts are incomplete\)/,
    ],
    ["executor", broken({}, { executor: undefined }), /no executor/],
    ["executor", broken({ canWait: true }), /no resume\(\)/],
    ["executor", broken({}, { executor: executors.approval }), /canWait is not set/],
  ] as const)("%s catches a broken type (%#)", (check, parts, problem) => {
    const problems = conformanceProblems(check, parts);
    expect(
      problems.some((p) => problem.test(p)),
      problems.join("\n"),
    ).toBe(true);
  });
});
