/**
 * Regular expressions written by users (JSONata regex literals, JSON Schema `pattern` and
 * `patternProperties`, guardrail regex checks) run here, never in JavaScript's backtracking
 * engine: a pattern such as `^(a+)+$` takes exponential time there, cannot be interrupted, and
 * froze the whole server. This module runs them with RE2 semantics (the `re2js` package, a pure
 * JavaScript port of RE2): matching takes time linear in the text, whatever the pattern.
 *
 * Three bounds keep one call short (a few hundred milliseconds at worst on a slow machine):
 * - the pattern text is at most MAX_REGEX_SOURCE characters;
 * - its compiled size, estimated before compiling (repetitions multiply), is at most
 *   MAX_REGEX_PROGRAM instructions, so compiling is cheap too;
 * - text length × program size is at most REGEX_WORK_LIMIT per match call.
 *
 * Patterns are written in JavaScript syntax and translated: `\uXXXX`, `\u{…}`, `\cX`, `\0`, `\s`
 * (JavaScript's whitespace set), `.` (anything but a line terminator), `[^]` and `[]` keep their
 * JavaScript meaning. What RE2 cannot do in linear time is refused with a clear message:
 * backreferences (`\1`, `\k<name>`) and lookahead (`(?=`, `(?!`). Lookbehind without capture
 * groups inside works. Remaining differences: `^`/`$` with the `m` flag and `\b` treat only `\n`
 * as a line end / ASCII word characters, and `\S` inside a character class is RE2's (ASCII).
 */
import { RE2JS } from "re2js";

/** Longest pattern text accepted. */
export const MAX_REGEX_SOURCE = 10_000;
/** Largest (estimated) compiled pattern accepted, in RE2 instructions. */
export const MAX_REGEX_PROGRAM = 20_000;
/** Most work one match call may do: text length × compiled size. */
export const REGEX_WORK_LIMIT = 20_000_000;

export type RegexProblemKind = "syntax" | "unsupported" | "too_large" | "too_costly";

/** A pattern that cannot be used, or a text too long for it. The message is for people. */
export class RegexError extends Error {
  constructor(
    readonly kind: RegexProblemKind,
    message: string,
    /** The pattern it is about, when known. */
    readonly pattern?: string,
  ) {
    super(message);
    this.name = "RegexError";
  }
}

export function isRegexError(error: unknown): error is RegexError {
  return error instanceof RegexError;
}

// JavaScript's \s: ECMAScript WhiteSpace and LineTerminator code points.
const JS_SPACE =
  "\\t\\n\\v\\f\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}";
const JS_DOT = "[^\\n\\r\\x{2028}\\x{2029}]";
const ANY = "[\\x{0}-\\x{10ffff}]";
const NOTHING = "[^\\x{0}-\\x{10ffff}]";
/** Letter escapes JavaScript knows; any other letter escape means something else (or nothing) in RE2. */
const JS_LETTER_ESCAPES = new Set("dDwWsSbBtnrfvcxukpP");

const hex = (n: number) => `\\x{${n.toString(16)}}`;

function isHex(text: string) {
  return /^[0-9a-fA-F]+$/.test(text);
}

/**
 * The pattern in RE2 syntax, meaning what the JavaScript pattern means (`dotAll`: the s flag is
 * set, so `.` matches line terminators too). Throws RegexError.
 */
export function toRe2Syntax(source: string, dotAll = false): string {
  let out = "";
  let inClass = false;
  let i = 0;
  const unsupported = (what: string) =>
    new RegexError(
      "unsupported",
      `${what} is not supported: patterns run in linear time (RE2), which rules out backreferences and lookahead`,
    );
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\\") {
      const n = source[i + 1];
      if (n === undefined) throw new RegexError("syntax", "the pattern ends with a lone backslash");
      if (n === "u") {
        if (source[i + 2] === "{") {
          const close = source.indexOf("}", i + 3);
          const digits = close < 0 ? "" : source.slice(i + 3, close);
          if (!isHex(digits)) throw new RegexError("syntax", "a \\u{…} escape needs hexadecimal digits");
          const cp = Number.parseInt(digits, 16);
          if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            throw new RegexError("syntax", `\\u{${digits}} is not a Unicode character`);
          out += hex(cp);
          i = close + 1;
          continue;
        }
        const digits = source.slice(i + 2, i + 6);
        if (digits.length < 4 || !isHex(digits))
          throw new RegexError("syntax", "a \\u escape needs four hexadecimal digits");
        let cp = Number.parseInt(digits, 16);
        let length = 6;
        if (cp >= 0xd800 && cp <= 0xdbff && source.slice(i + 6, i + 8) === "\\u") {
          const low = source.slice(i + 8, i + 12);
          const lowCp = isHex(low) && low.length === 4 ? Number.parseInt(low, 16) : -1;
          if (lowCp >= 0xdc00 && lowCp <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lowCp - 0xdc00);
            length = 12;
          }
        }
        if (cp >= 0xd800 && cp <= 0xdfff)
          throw new RegexError("unsupported", `\\u${digits} is half of a surrogate pair and matches no character`);
        out += hex(cp);
        i += length;
        continue;
      }
      if (n === "c") {
        const letter = source[i + 2] ?? "";
        if (!/^[A-Za-z]$/.test(letter)) throw new RegexError("syntax", "\\c must be followed by a letter");
        out += hex(letter.charCodeAt(0) % 32);
        i += 3;
        continue;
      }
      if (n === "s") out += inClass ? JS_SPACE : `[${JS_SPACE}]`;
      else if (n === "S") out += inClass ? "\\S" : `[^${JS_SPACE}]`;
      else if (n === "b" && inClass) out += hex(8);
      else if (n === "0" && !/[0-9]/.test(source[i + 2] ?? "")) out += hex(0);
      else if (/[0-9]/.test(n)) throw unsupported(`A backreference "\\${n}"`);
      else if (n === "k" && source[i + 2] === "<") throw unsupported('A backreference "\\k<…>"');
      else if (/[A-Za-z]/.test(n) && !JS_LETTER_ESCAPES.has(n))
        throw new RegexError("syntax", `\\${n} is not an escape sequence; write ${n} without the backslash`);
      else out += `\\${n}`;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      // JavaScript reads "[" inside a class as itself; RE2 would start a POSIX class ("[[:alpha:]]").
      out += c === "[" ? "\\[" : c;
      i++;
      continue;
    }
    if (c === "[") {
      if (source.startsWith("[^]", i)) {
        out += ANY;
        i += 3;
        continue;
      }
      if (source.startsWith("[]", i)) {
        out += NOTHING;
        i += 2;
        continue;
      }
      inClass = true;
      out += "[";
      i++;
      if (source[i] === "^") {
        out += "^";
        i++;
      }
      continue;
    }
    if (c === "(" && (source.startsWith("(?=", i) || source.startsWith("(?!", i))) {
      throw unsupported(`Lookahead "${source.slice(i, i + 3)}"`);
    }
    out += c === "." && !dotAll ? JS_DOT : c;
    i++;
  }
  return out;
}

/**
 * An upper estimate of the compiled size (RE2 instructions) of a pattern, computed from its text
 * without compiling it: counted repetitions multiply the size of what they repeat.
 */
export function estimateProgramSize(source: string): number {
  type Frame = { total: number; alt: number; last: number };
  const stack: Frame[] = [{ total: 0, alt: 0, last: 0 }];
  const top = () => stack[stack.length - 1] as Frame;
  const atom = (size: number) => {
    top().alt += size;
    top().last = size;
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (c === "\\") {
      // \u{…} and \uXXXX are one character; everything else is two source characters.
      if (source[i + 1] === "u" && source[i + 2] === "{") i = Math.max(source.indexOf("}", i) + 1, i + 2);
      else i += source[i + 1] === "u" ? 6 : 2;
      atom(1);
      continue;
    }
    if (c === "[") {
      let j = i + 1;
      if (source[j] === "^") j++;
      if (source[j] === "]") j++;
      while (j < source.length && source[j] !== "]") j += source[j] === "\\" ? 2 : 1;
      i = j + 1;
      atom(1);
      continue;
    }
    if (c === "(") {
      stack.push({ total: 0, alt: 0, last: 0 });
      i++;
      if (source[i] === "?") {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>  (?P<name>
        const close = source[i + 1] === "<" || source[i + 1] === "P" ? source.indexOf(">", i) : -1;
        i = close > 0 && !/[=!]/.test(source[i + 2] ?? "") ? close + 1 : i + (source[i + 1] === "<" ? 3 : 2);
      }
      continue;
    }
    if (c === ")") {
      const frame = stack.length > 1 ? (stack.pop() as Frame) : top();
      atom(frame.total + frame.alt + 2);
      i++;
      continue;
    }
    if (c === "|") {
      const f = top();
      f.total += f.alt + 1;
      f.alt = 0;
      f.last = 0;
      i++;
      continue;
    }
    if (c === "*" || c === "+" || c === "?") {
      top().alt += 1;
      i += source[i + 1] === "?" ? 2 : 1;
      continue;
    }
    if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i, i + 24));
      if (m) {
        const min = Number(m[1]);
        const max = m[3] ? Number(m[3]) : m[2] ? min + 1 : min;
        const k = Math.max(min, max, 1);
        const f = top();
        f.alt += f.last * (k - 1) + k;
        f.last *= k;
        i += m[0].length + (source[i + m[0].length] === "?" ? 1 : 0);
        continue;
      }
    }
    atom(1);
    i++;
  }
  let size = 0;
  for (const f of stack) size += f.total + f.alt;
  return size + 2;
}

const FLAG_BITS: Record<string, number> = {
  i: RE2JS.CASE_INSENSITIVE,
  m: RE2JS.MULTILINE,
  s: RE2JS.DOTALL,
};

type Compiled = { re: RE2JS; size: number };
const CACHE_MAX = 500;
const cache = new Map<string, Compiled | RegexError>();

function short(source: string) {
  return source.length > 60 ? `${source.slice(0, 57)}…` : source;
}

/**
 * Compile a user pattern (JavaScript syntax; flags among g, i, m, s, u) for linear-time matching.
 * Cached; throws RegexError with a readable message when the pattern cannot be used.
 */
export function compileSafeRegex(source: string, flags = ""): Compiled {
  const key = `${flags}/${source}`;
  const hit = cache.get(key);
  if (hit) {
    if (hit instanceof RegexError) throw hit;
    return hit;
  }
  let result: Compiled | RegexError;
  try {
    result = compileUncached(source, flags);
  } catch (e) {
    result =
      e instanceof RegexError
        ? new RegexError(e.kind, e.message, source)
        : new RegexError(
            "syntax",
            (e as Error).message.replace(/^error parsing regexp: /, "") || "it does not parse",
            source,
          );
  }
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  if (result instanceof RegexError) throw result;
  return result;
}

function compileUncached(source: string, flags: string): Compiled {
  if (source.length > MAX_REGEX_SOURCE)
    throw new RegexError("too_large", `the pattern is longer than ${MAX_REGEX_SOURCE} characters`);
  let bits = 0;
  for (const f of flags) {
    if (f === "g" || f === "u") continue;
    const bit = FLAG_BITS[f];
    if (bit === undefined) throw new RegexError("unsupported", `the flag "${f}" is not supported (use g, i, m, s, u)`);
    bits |= bit;
  }
  const estimate = estimateProgramSize(source);
  if (estimate > MAX_REGEX_PROGRAM)
    throw new RegexError(
      "too_large",
      `the pattern is too large: its repetitions expand to about ${estimate} steps, more than ${MAX_REGEX_PROGRAM}`,
    );
  const re = RE2JS.compile(toRe2Syntax(source, flags.includes("s")), bits | RE2JS.LOOKBEHINDS);
  return { re, size: Math.max(re.programSize(), 1) };
}

/** null when the pattern can be used; otherwise why not. */
export function regexProblem(source: string, flags = ""): string | null {
  try {
    compileSafeRegex(source, flags);
    return null;
  } catch (e) {
    if (e instanceof RegexError) return e.message;
    throw e;
  }
}

/** Throws RegexError when matching `text` against the pattern could take too long. */
function checkWork(compiled: Compiled, source: string, text: string) {
  if (text.length * compiled.size > REGEX_WORK_LIMIT)
    throw new RegexError(
      "too_costly",
      `the text (${text.length} characters) is too long for the pattern /${short(source)}/ (at most ${Math.floor(
        REGEX_WORK_LIMIT / compiled.size,
      )} characters for this pattern)`,
    );
}

/** Whether the text is too long to be matched against this pattern within the work limit. */
export function tooCostly(source: string, flags: string, text: string): boolean {
  return text.length * compileSafeRegex(source, flags).size > REGEX_WORK_LIMIT;
}

/**
 * A RegExp look-alike over RE2: `exec`, `test`, `lastIndex` (with the g flag), `source`, `flags`.
 * Accepts a pattern string, a RegExp (whose source and flags it takes) or another SafeRegExp —
 * which is how JSONata constructs its `RegexEngine` from the regex literals it parsed.
 */
export class SafeRegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  readonly global: boolean;
  private readonly compiled: Compiled;

  constructor(pattern: string | RegExp | SafeRegExp, flags?: string) {
    this.source = typeof pattern === "string" ? pattern : pattern.source;
    this.flags = flags ?? (typeof pattern === "string" ? "" : pattern.flags);
    this.global = this.flags.includes("g");
    this.compiled = compileSafeRegex(this.source, this.flags);
  }

  exec(input: string): RegExpExecArray | null {
    const text = String(input);
    checkWork(this.compiled, this.source, text);
    const from = this.global ? this.lastIndex : 0;
    if (from > text.length) {
      this.lastIndex = 0;
      return null;
    }
    const m = this.compiled.re.matcher(text);
    if (!m.find(from)) {
      if (this.global) this.lastIndex = 0;
      return null;
    }
    const out: string[] = [];
    const count = m.groupCount();
    for (let g = 0; g <= count; g++) out.push(m.group(g) ?? (undefined as unknown as string));
    const result = out as RegExpExecArray;
    result.index = m.start();
    result.input = text;
    const names = this.compiled.re.namedGroups();
    if (names && Object.keys(names).length > 0) {
      const groups: Record<string, string> = {};
      for (const [name, index] of Object.entries(names)) groups[name] = out[index as number] as string;
      result.groups = groups;
    } else result.groups = undefined;
    if (this.global) this.lastIndex = m.end();
    return result;
  }

  test(input: string): boolean {
    if (this.global) return this.exec(input) !== null;
    const text = String(input);
    checkWork(this.compiled, this.source, text);
    return this.compiled.re.test(text);
  }

  toString(): string {
    return `/${this.source}/${this.flags}`;
  }
}

/**
 * The engine Ajv compiles `pattern` and `patternProperties` with (`code.regExp`). A value too
 * long for its pattern does not match (json-schema-check reports it as too long to check).
 */
export const ajvRegExpEngine = Object.assign(
  (pattern: string, u: string) => {
    const compiled = compileSafeRegex(pattern, u);
    return {
      test(text: string) {
        if (text.length * compiled.size > REGEX_WORK_LIMIT) return false;
        return compiled.re.test(text);
      },
      toString: () => `/${pattern}/${u}`,
    };
  },
  { code: "safeRegExp" },
);
