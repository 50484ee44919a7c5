// User regular expressions in JSONata run with RE2 semantics (linear time). Before, `$match` with
// /^(a+)+$/ on 28 characters blocked the process for 11.5 s (the timeout is only checked between
// evaluation steps) and the step still "succeeded"; ~35 characters would have taken hours.
import jsonata from "jsonata";
import { describe, expect, it } from "vitest";
import { type InputValidationError, isEngineError, isInputValidationError } from "@/lib/contracts/errors";
import { REGEX_WORK_LIMIT } from "@/lib/contracts/safe-regex";
import { createTestEngine } from "@/lib/testing/test-engine";
import { validateWorkflow } from "@/lib/workflow/validate";
import { DEFAULT_EXPRESSION_LIMITS, evaluateExpression, parseProblem, templateProblems } from "./index";

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected a failure");
}

async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now();
  const value = await fn();
  return { value, ms: performance.now() - t };
}

describe("regular expressions in expressions", () => {
  it("a catastrophic-backtracking pattern answers at once instead of freezing the process", async () => {
    // 27 characters: ~6 s for JavaScript's backtracking engine on this machine, and doubling per character.
    const evil = `${"a".repeat(27)}!`;
    const { value, ms } = await timed(() =>
      evaluateExpression("$match(text, /^(a+)+$/)", { text: evil }, { ...DEFAULT_EXPRESSION_LIMITS, timeoutMs: 1000 }),
    );
    expect(value).toBeUndefined();
    expect(ms).toBeLessThan(1000);
    const nested = await timed(() => evaluateExpression("$contains(text, /(a|aa)+$/)", { text: `${"a".repeat(30)}!` }));
    expect(nested.value).toBe(false);
    expect(nested.ms).toBeLessThan(1000);
  });

  it("gives the same answers as JavaScript's engine for ordinary patterns", async () => {
    const cases = [
      '$match("2024-05 and 2025-11", /(\\d{4})-(\\d{2})/)',
      '$match("John Smith", /(?<first>\\w+) (\\w+)?/)',
      '$replace("Hello World", /o/i, "0")',
      '$replace("a-b_c d", /[-_\\s]/, "+")',
      '$replace("2024-05-01", /(\\d+)-(\\d+)-(\\d+)/, "$3/$2/$1")',
      '$split("a, b,c ,  d", /\\s*,\\s*/)',
      '$contains("Refund please", /refund/i)',
      '$contains("line1\\nline2", /^line2$/m)',
      '$contains("line1\\nline2", /^line2$/)',
      '$match("a.b\\nc", /./)',
      '$match("café CAFÉ", /\\u00e9/i)',
      '$match("x\\u00a0y", /x\\sy/)',
      '$match("tab\\there", /\\S+/)',
      '$match("😀 smile", /\\uD83D\\uDE00/)',
      '$match("a/b", /a\\/b/)',
      '$match("aaa", /a*?/)',
      '$match("abc", /[^]/)',
      '$match("price: $42.50", /\\$(\\d+)\\.(\\d\\d)/)',
      '$match("x1y22z333", /\\d+/)',
      '"Order ABC-123 ok" ~> $match(/[A-Z]{3}-\\d+/)',
      '$match("ab12", /(?<!a)b|\\d/)',
    ];
    const outcome = async (run: () => Promise<unknown>) => {
      try {
        return { value: JSON.parse(JSON.stringify((await run()) ?? null)) };
      } catch (e) {
        return { failed: true, zeroLength: /zero length/.test((e as Error).message) };
      }
    };
    for (const expression of cases) {
      const native = await outcome(() => jsonata(expression).evaluate({}));
      const ours = await outcome(() => evaluateExpression(expression, {}));
      expect(ours, expression).toEqual(native);
    }
  });

  it("refuses, when the expression is checked, what RE2 cannot run in linear time", () => {
    for (const [text, what] of [
      ["$match(x, /(a)\\1/)", /backreference/],
      ["$match(x, /a(?=b)/)", /Lookahead/],
      ["$match(x, /a(?!b)/)", /Lookahead/],
      ["$match(x, /(?:a{1,100}){1,100}/)", /too large/],
    ] as const) {
      const problem = parseProblem(text);
      expect(problem?.message, text).toMatch(what);
      expect(problem?.message).toMatch(/regular expression/);
      expect(problem?.position).toBeGreaterThan(0);
    }
    expect(templateProblems({ prompt: "{{ $match(input.x, /(a)\\1/) }}" }, "config")).toEqual([
      { path: "config.prompt", message: expect.stringMatching(/backreference/) },
    ]);
  });

  it("stops a match whose text is too long for its pattern with a clear error, quickly", async () => {
    // The heaviest kind of pattern (large program, captures: the NFA path) on the longest text allowed.
    const pattern = "(?:[a-z0-9]{1,20}[._-]?){1,20}@";
    const limit = Math.floor(REGEX_WORK_LIMIT / 842);
    const within = await timed(() =>
      evaluateExpression(`$match(text, /${pattern}/)`, { text: "ab".repeat(Math.floor(limit / 2) - 1) }),
    );
    expect(within.value).toBeUndefined();
    expect(within.ms).toBeLessThan(DEFAULT_EXPRESSION_LIMITS.timeoutMs * 2);
    const { value: e, ms } = await timed(() =>
      failure(evaluateExpression(`$match(text, /${pattern}/)`, { text: "ab".repeat(200_000) })),
    );
    expect(isEngineError(e)).toBe(true);
    expect(e.message).toMatch(/too long for the pattern/);
    expect(ms).toBeLessThan(200);
  });
});

describe("regular expressions in a workflow", () => {
  const doc = (vars: Record<string, unknown>, input?: unknown) => ({
    format: "switchboard.workflow/v1",
    name: "Regex",
    ...(input ? { input } : {}),
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "check", type: "set", name: "Check", config: { vars } },
      { id: "done", type: "end", config: { output: { found: "{{ vars.found }}" } } },
    ],
    edges: [
      { source: "start", target: "check" },
      { source: "check", target: "done" },
    ],
  });

  it("a pattern RE2 cannot run is a validation problem naming the node and field", () => {
    const result = validateWorkflow(doc({ found: "{{ $match(input.text, /a(?=b)/) }}" }));
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: "check", message: expect.stringMatching(/Lookahead/) }),
      ]),
    );
    const schema = validateWorkflow(
      doc({ found: 1 }, { type: "object", properties: { code: { type: "string", pattern: "(x)\\1" } } }),
    );
    expect(schema.valid).toBe(false);
    expect(JSON.stringify(schema.issues)).toMatch(/backreference/);
  });

  const execute = (document: unknown, input: unknown) => createTestEngine().engine.execute({ document }, input);

  it("a run whose step matches a pathological pattern ends at once, and a pathological input pattern names the field", async () => {
    const { value: result, ms } = await timed(() =>
      execute(doc({ found: "{{ $match(input.text, /^(a+)+$/) }}" }), { text: `${"a".repeat(27)}!` }),
    );
    expect(result.status).toBe("succeeded");
    expect(ms).toBeLessThan(2000);
    const refused = await failure(
      execute(doc({ found: 1 }, { type: "object", properties: { code: { type: "string", pattern: "^(a+)+$" } } }), {
        code: `${"a".repeat(27)}!`,
      }),
    );
    expect(isInputValidationError(refused)).toBe(true);
    expect((refused as InputValidationError).issues).toEqual([
      { path: "input.code", message: "This does not have the expected form (^(a+)+$)." },
    ]);
  });
});
