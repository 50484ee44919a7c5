import { describe, expect, it } from "vitest";
import { isEngineError } from "@/lib/contracts/errors";
import {
  compileExpression,
  DEFAULT_EXPRESSION_LIMITS,
  evaluateExpression,
  parseProblem,
  parseTemplate,
  referencedNodeIds,
  renderDeep,
  renderTemplate,
  templateNodeRefs,
  templateProblems,
} from "./index";

const ctx = {
  input: { message: "Refund please", amount: 120, tags: ["a", "b"] },
  vars: { tier: "gold" },
  nodes: { triage: { output: { category: "billing", score: 0.9 }, status: "succeeded" } },
  run: { id: "r1", startedAt: "2026-01-01T00:00:00.000Z", workflowId: "w" },
  conversation: [],
};

const fast = { ...DEFAULT_EXPRESSION_LIMITS, timeoutMs: 200 };

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

describe("expressions", () => {
  it("evaluates JSONata over the run context", async () => {
    expect(await evaluateExpression("input.amount > 100", ctx)).toBe(true);
    expect(await evaluateExpression("nodes.triage.output.category", ctx)).toBe("billing");
    expect(await evaluateExpression("$count(input.tags)", ctx)).toBe(2);
    expect(await evaluateExpression("{ 'total': input.amount * 2 }", ctx)).toEqual({ total: 240 });
    expect(await evaluateExpression("input.missing", ctx)).toBeUndefined();
  });

  it("returns plain JSON (no JSONata sequence flags)", async () => {
    const v = await evaluateExpression("input.tags.($ & '!')", ctx);
    expect(v).toEqual(["a!", "b!"]);
    expect(Object.keys(v as object)).toEqual(["0", "1"]);
    expect(JSON.stringify(v)).toBe('["a!","b!"]');
  });

  it("reports syntax errors readably and caches compiled expressions", () => {
    expect(parseProblem("input.(")).toMatchObject({ message: expect.stringContaining("at character") });
    expect(parseProblem("")).toMatchObject({ message: "it is empty" });
    expect(parseProblem("input.amount")).toBeNull();
    expect(compileExpression("input.amount")).toBe(compileExpression("input.amount"));
  });

  it("stops endless recursion and long loops with a clear error", async () => {
    const rec = await failure(evaluateExpression("($f := function($n){ $f($n + 1) }; $f(0))", ctx, fast));
    expect(isEngineError(rec)).toBe(true);
    expect(rec.message).toMatch(/longer than 200 ms|too deep/);
    const loop = await failure(
      evaluateExpression("($loop := function($n){ $n > 0 ? $loop($n - 1) : 0 }; [1..100000].($loop(50)))", ctx, fast),
    );
    expect(loop.message).toMatch(/longer than|list longer|too deep/);
  });

  it("limits the size of results", async () => {
    const big = await failure(evaluateExpression("$pad('', 2000000, 'x')", ctx));
    expect(big.message).toMatch(/larger than 1000000 bytes/);
    const doubling = await failure(
      evaluateExpression("$reduce([1..40], function($acc){ $acc & $acc }, 'xx')", ctx, fast),
    );
    expect(isEngineError(doubling)).toBe(true);
    const long = await failure(evaluateExpression("[1..200000]", ctx));
    expect(long.message).toMatch(/longer than 100000 items|larger than/);
  });

  it("gives no way out to the host: prototype walks and constructor tricks find nothing", async () => {
    for (const attempt of [
      "constructor",
      "$.constructor",
      "input.constructor.constructor('return process')()",
      "__proto__",
      "input.__proto__.polluted",
      "$lookup($, 'constructor')",
      '"x".constructor',
      "$string($.constructor)",
    ]) {
      let value: unknown;
      try {
        value = await evaluateExpression(attempt, ctx);
      } catch (e) {
        expect(isEngineError(e)).toBe(true);
        continue;
      }
      expect([undefined, null, ""]).toContain(value);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("an object key named __proto__ stays data", async () => {
    const v = (await evaluateExpression('{"__proto__": {"polluted": true}}', ctx)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects functions as results", async () => {
    const e = await failure(evaluateExpression("function($x){ $x }", ctx));
    expect(e.message).toMatch(/not data/);
  });

  it("finds referenced nodes", () => {
    expect(referencedNodeIds("nodes.triage.output.category & $$.nodes.other.output")).toEqual(["triage", "other"]);
    expect(referencedNodeIds("nodes.`my-node`.output")).toEqual(["my-node"]);
    expect(referencedNodeIds("input.nodes")).toEqual([]);
  });
});

describe("templates", () => {
  it("a single {{ }} keeps the value's type", async () => {
    expect(await renderTemplate("{{ input.amount }}", ctx)).toBe(120);
    expect(await renderTemplate("  {{ input.tags }} ", ctx)).toEqual(["a", "b"]);
    expect(await renderTemplate("{{ nodes.triage.output }}", ctx)).toEqual({ category: "billing", score: 0.9 });
    expect(await renderTemplate("{{ input.amount > 100 }}", ctx)).toBe(true);
    expect(await renderTemplate("{{ input.nothing }}", ctx)).toBeNull();
  });

  it("mixed text becomes a string; objects become JSON, missing values empty", async () => {
    expect(await renderTemplate("Refund of {{ input.amount }} for {{ vars.tier }} ({{ input.none }})", ctx)).toBe(
      "Refund of 120 for gold ()",
    );
    expect(await renderTemplate("tags: {{ input.tags }}", ctx)).toBe('tags: ["a","b"]');
    expect(await renderTemplate("no template here", ctx)).toBe("no template here");
  });

  it("an expression may contain }} (object literals)", async () => {
    expect(await renderTemplate('{{ {"a": {"b": input.amount}} }}', ctx)).toEqual({ a: { b: 120 } });
    expect(parseTemplate("x {{ {'k': 1} }} y")).toMatchObject({ single: false });
  });

  it("renders templates deep inside objects and arrays, keys untouched", async () => {
    const out = await renderDeep({ "{{ key }}": "{{ input.amount }}", list: ["{{ vars.tier }}", 3, null] }, ctx);
    expect(out).toEqual({ "{{ key }}": 120, list: ["gold", 3, null] });
  });

  it("reports broken templates with their path", () => {
    expect(templateProblems({ a: "{{ input.( }}", b: ["ok {{ vars.tier }}", "{{ unclosed"] }, "config")).toEqual([
      { path: "config.a", message: expect.stringContaining("does not parse") },
      { path: "config.b[1]", message: expect.stringContaining("never closed") },
    ]);
    expect(templateProblems("{{  }}", "x")[0]?.message).toMatch(/not valid/);
  });

  it("lists node references with paths", () => {
    expect(templateNodeRefs({ p: "Hi {{ nodes.a.output }} and {{ nodes.b.output.x }}" }, "config")).toEqual([
      { path: "config.p", nodeId: "a" },
      { path: "config.p", nodeId: "b" },
    ]);
  });

  it("limits the size of rendered text", async () => {
    const e = await failure(renderTemplate("x{{ $pad('', 600000, 'y') }}{{ $pad('', 600000, 'z') }}", ctx));
    expect(e.message).toMatch(/more than 1000000 characters/);
  });
});
