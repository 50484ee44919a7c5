// User patterns run with RE2 semantics in linear time: in JSON Schema `pattern` and
// `patternProperties` a backtracking pattern used to cost seconds per run start (5 s measured)
// and held up every other request of the process meanwhile.
import { describe, expect, it } from "vitest";
import { compileJsonSchema, isCompileError } from "./json-schema-check";
import {
  estimateProgramSize,
  MAX_REGEX_PROGRAM,
  REGEX_WORK_LIMIT,
  RegexError,
  regexProblem,
  SafeRegExp,
  toRe2Syntax,
} from "./safe-regex";

const EVIL = `${"a".repeat(27)}!`;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const t = performance.now();
  const value = fn();
  return { value, ms: performance.now() - t };
}

function compiled(schema: unknown) {
  const c = compileJsonSchema(schema);
  if (isCompileError(c)) throw new Error(c.error);
  return c;
}

describe("SafeRegExp", () => {
  it("matches catastrophic-backtracking patterns in linear time", () => {
    for (const [pattern, text] of [
      ["^(a+)+$", EVIL],
      ["(a|aa)+$", `${"a".repeat(5000)}!`],
      ["^(\\w+\\s?)*$", `${"hello world ".repeat(2000)}!`],
      ["(x+x+)+y", "x".repeat(10_000)],
    ] as const) {
      const { value, ms } = timed(() => new SafeRegExp(pattern).test(text));
      expect(value, pattern).toBe(false);
      expect(ms, pattern).toBeLessThan(500);
    }
  });

  it("behaves like RegExp for exec, lastIndex with g, groups and indexes in UTF-16 units", () => {
    const re = new SafeRegExp("(?<word>\\w)(\\d)?", "g");
    const first = re.exec("😀a1 b") as RegExpExecArray;
    expect([...first]).toEqual(["a1", "a", "1"]);
    expect(first.index).toBe(2);
    expect(first.groups).toEqual({ word: "a" });
    expect(re.lastIndex).toBe(4);
    const second = re.exec("😀a1 b") as RegExpExecArray;
    expect([...second]).toEqual(["b", "b", undefined]);
    expect(re.exec("😀a1 b")).toBeNull();
    expect(re.lastIndex).toBe(0);
    expect(new SafeRegExp(/^ab$/im).test("x\nAB")).toBe(true);
    expect(new SafeRegExp("a.b", "s").test("a\nb")).toBe(true);
    expect(new SafeRegExp("a.b").test("a\nb")).toBe(false);
  });

  it("keeps JavaScript's meaning of escapes RE2 spells differently", () => {
    expect(toRe2Syntax("\\u00e9\\cJ\\0")).toBe("\\x{e9}\\x{a}\\x{0}");
    expect(new SafeRegExp("\\uD83D\\uDE00").test("😀")).toBe(true);
    expect(new SafeRegExp("\\u{1F600}", "u").test("😀")).toBe(true);
    expect(new SafeRegExp("^\\s$").test("\u00a0")).toBe(true); // JavaScript's \s includes no-break space
    expect(new SafeRegExp("^[\\s]$").test("\u2028")).toBe(true);
    expect(new SafeRegExp("^.$").test("\r")).toBe(false); // . stops at every line terminator
    expect(new SafeRegExp("^[^]$").test("\n")).toBe(true);
    expect(new SafeRegExp("[]").test("anything")).toBe(false);
    expect(new SafeRegExp("^[[]$").test("[")).toBe(true);
    expect(new SafeRegExp("^[\\b]$").test("\b")).toBe(true);
  });

  it("refuses with a readable reason what cannot run in linear time, or is too large", () => {
    expect(regexProblem("(a)\\1")).toMatch(/backreference "\\1" is not supported/);
    expect(regexProblem("(?<n>a)\\k<n>")).toMatch(/backreference/);
    expect(regexProblem("a(?=b)")).toMatch(/Lookahead "\(\?=" is not supported/);
    expect(regexProblem("a(?!b)")).toMatch(/Lookahead/);
    expect(regexProblem("(")).toMatch(/missing closing \)/);
    expect(regexProblem("\\A")).toMatch(/not an escape sequence/);
    expect(regexProblem("a", "y")).toMatch(/flag "y"/);
    expect(regexProblem("[a-z]{1000}".repeat(30))).toMatch(/too large/);
    expect(regexProblem("(?<=a)b")).toBeNull();
    expect(() => new SafeRegExp("(a)\\1")).toThrow(RegexError);
  });

  it("estimates the compiled size from above, without compiling", () => {
    for (const p of ["^(a+)+$", "[a-z]{1000}", "(a|b|c){3,9}", "(?:[a-z0-9]{1,20}[._-]?){1,20}@", "(?<y>\\d{4})"]) {
      const actual = (new SafeRegExp(p) as unknown as { compiled: { size: number } }).compiled.size;
      expect(estimateProgramSize(p), p).toBeGreaterThanOrEqual(actual);
      expect(estimateProgramSize(p), p).toBeLessThanOrEqual(actual * 3);
    }
    // A pattern near the size limit still compiles quickly.
    const big = "(?:[a-z]{1,9}x){1,9}|".repeat(40);
    expect(estimateProgramSize(big)).toBeLessThan(MAX_REGEX_PROGRAM);
    expect(timed(() => new SafeRegExp(big)).ms).toBeLessThan(500);
  });

  it("refuses a text too long for the pattern instead of running long", () => {
    const re = new SafeRegExp("(\\w+)@(\\w+)");
    const size = (re as unknown as { compiled: { size: number } }).compiled.size;
    expect(() => re.exec("a".repeat(Math.ceil(REGEX_WORK_LIMIT / size) + 1))).toThrow(/too long for the pattern/);
  });
});

describe("JSON Schema patterns", () => {
  it("a backtracking `pattern` is checked at once and names the field", () => {
    const schema = compiled({ type: "object", properties: { code: { type: "string", pattern: "^(a+)+$" } } });
    const { value, ms } = timed(() => schema.check({ code: EVIL }, "input"));
    expect(value).toEqual([{ path: "input.code", message: "This does not have the expected form (^(a+)+$)." }]);
    expect(ms).toBeLessThan(500);
    expect(schema.check({ code: "aaa" }, "input")).toEqual([]);
  });

  it("a backtracking `patternProperties` key is checked at once", () => {
    const schema = compiled({
      type: "object",
      patternProperties: { "^(a+)+$": { type: "number" } },
      additionalProperties: false,
    });
    const { value, ms } = timed(() => schema.check({ [EVIL]: 1, aaaa: "x" }, "input"));
    expect(value).toEqual(
      expect.arrayContaining([
        { path: `input[${JSON.stringify(EVIL)}]`, message: "This field is not allowed here." },
        { path: "input.aaaa", message: "This must be a number." },
      ]),
    );
    expect(ms).toBeLessThan(500);
  });

  it("a pattern RE2 cannot run makes the schema invalid, naming the pattern", () => {
    const c = compileJsonSchema({ type: "string", pattern: "^(?!admin).*$" });
    expect(isCompileError(c) && c.error).toMatch(/the pattern "\^\(\?!admin\)\.\*\$" cannot be used: Lookahead/);
  });

  it("a value too long for its pattern is refused with a field error saying so", () => {
    const schema = compiled({ type: "object", properties: { note: { type: "string", pattern: "^(\\w+\\s?)+$" } } });
    const issues = schema.check({ note: "word ".repeat(2_000_000) }, "input");
    expect(issues).toEqual([
      { path: "input.note", message: expect.stringMatching(/too long .* to check against its pattern/) },
    ]);
  });
});
