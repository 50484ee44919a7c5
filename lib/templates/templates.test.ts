import { describe, expect, it } from "vitest";
import { canvasToDoc, docToCanvas } from "../canvas/convert";
import { validateWorkflow } from "../workflow/validate";
import { TEMPLATES } from "./index";

describe("built-in templates", () => {
  it("has at least six", () => {
    expect(TEMPLATES.length).toBeGreaterThanOrEqual(6);
    expect(new Set(TEMPLATES.map((t) => t.id)).size).toBe(TEMPLATES.length);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))("%s is valid and round-trips through the canvas", (_id, t) => {
    const result = validateWorkflow(t.document);
    expect(result.valid ? [] : result.issues).toEqual([]);
    const { meta, nodes, edges } = docToCanvas(structuredClone(t.document) as never);
    expect(canvasToDoc(meta, nodes, edges)).toEqual(t.document);
  });

  it.each(TEMPLATES.map((t) => [t.id, t] as const))("%s runs on the simulated model only", (_id, t) => {
    for (const n of t.document.nodes as { type: string; config: Record<string, unknown> }[]) {
      if (n.type === "agent") expect(n.config.model).toBe("simulated");
      expect(["http", "tool", "a2a"]).not.toContain(n.type);
    }
  });
});

describe("built-in templates run on the simulated model", () => {
  it.each(TEMPLATES.map((t) => [t.id, t] as const))("%s runs to success or a person's decision", async (_id, t) => {
    const { createTestEngine } = await import("@/lib/testing/test-engine");
    const { engine } = createTestEngine();
    const input = Object.fromEntries(
      Object.entries(
        (t.document.input as { properties?: Record<string, { default?: unknown }> })?.properties ?? {},
      ).map(([k, p]) => [k, p.default]),
    );
    let result = await engine.execute({ document: t.document }, input);
    // approvals: approve every pending one, as a person would in the inbox
    for (let i = 0; i < 5 && result.status === "waiting"; i++) {
      const pending = result.approvals.filter((a) => a.status === "pending");
      expect(pending.length).toBeGreaterThan(0);
      result = await engine.decide(pending[0].id, { decision: "approve", by: "test" });
    }
    expect(result.error).toBeNull();
    expect(result.status).toBe("succeeded");
    expect(result.steps.some((s) => s.status === "failed")).toBe(false);
  });
});

describe("e2e fixture workflows", () => {
  it("are valid, except the one meant to be invalid, which lists several problems", async () => {
    const { readFileSync } = await import("node:fs");
    const load = (f: string) =>
      JSON.parse(readFileSync(new URL(`../../e2e/fixtures/workflows/${f}`, import.meta.url), "utf8"));
    for (const f of ["failing-step.json", "slow-run.json"]) {
      const r = validateWorkflow(load(f));
      expect(r.valid ? [] : r.issues).toEqual([]);
    }
    const bad = validateWorkflow(load("invalid.json"));
    expect(bad.valid).toBe(false);
    expect(bad.valid ? 0 : bad.issues.length).toBeGreaterThanOrEqual(3);
  });
});
