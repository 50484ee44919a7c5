/**
 * JSONata expressions with limits. Never eval / Function / vm: JSONata is an interpreter over
 * plain data, and the context we hand it is plain JSON (no functions to call, no prototypes to
 * walk — JSONata only reads own properties).
 *
 * Limits: evaluation time (`timeout`, checked by JSONata at every evaluation step), recursion
 * depth (`stack`), sequence length (`sequence`) and the size of the result (checked here while
 * copying it into plain JSON).
 *
 * Regular expressions: JSONata runs its regex literals (`$match`, `$replace`, `$split`,
 * `$contains`, `~>`) through the `RegexEngine` we give it — SafeRegExp, RE2 semantics, linear
 * time (lib/contracts/safe-regex.ts). A single match call is not an evaluation step, so a
 * backtracking pattern could never be stopped by the timeout; with RE2 each call is bounded by
 * the text length instead. Patterns RE2 cannot run (backreferences, lookahead) are parse problems.
 */
import jsonata from "jsonata";
import { ExpressionError } from "@/lib/contracts/errors";
import { isRegexError, regexProblem, SafeRegExp } from "@/lib/contracts/safe-regex";
import { NotDataError, SizeLimitError, toPlainJson } from "./size";

export interface ExpressionLimits {
  /** Wall time for one evaluation. Default 1000 ms. */
  timeoutMs: number;
  /** Largest result, in serialised bytes. Default 1 MB. */
  maxResultBytes: number;
  /** Deepest recursion. Default 500. */
  maxDepth: number;
  /** Longest sequence an expression may build. Default 100 000. */
  maxSequence: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = {
  timeoutMs: 1000,
  maxResultBytes: 1_000_000,
  maxDepth: 500,
  maxSequence: 100_000,
};

/** Longest expression text accepted. */
export const MAX_EXPRESSION_LENGTH = 10_000;

export interface ParseProblem {
  message: string;
  position?: number;
}

export type CompiledExpression = jsonata.Expression;

const CACHE_MAX = 2000;
const cache = new Map<string, CompiledExpression>();
const parseErrors = new Map<string, ParseProblem>();

function cacheKey(text: string, limits: ExpressionLimits) {
  return `${limits.timeoutMs}|${limits.maxDepth}|${limits.maxSequence}|${text}`;
}

/** Compile (cached). Throws ExpressionError with a readable message on a syntax error. */
export function compileExpression(
  text: string,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): CompiledExpression {
  const key = cacheKey(text, limits);
  const hit = cache.get(key);
  if (hit) {
    // refresh LRU position
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const problem = parseProblem(text);
  if (problem) throw new ExpressionError(`The expression "${short(text)}" does not parse: ${problem.message}`);
  const compiled = jsonata(text, {
    timeout: limits.timeoutMs,
    stack: limits.maxDepth,
    sequence: limits.maxSequence,
    RegexEngine: SafeRegExp as unknown as RegExpConstructor,
  });
  cache.set(key, compiled);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value as string);
  return compiled;
}

/** null when the expression parses; otherwise a readable problem. Cached. */
export function parseProblem(text: string): ParseProblem | null {
  if (text.length > MAX_EXPRESSION_LENGTH) return { message: `it is longer than ${MAX_EXPRESSION_LENGTH} characters` };
  if (text.trim() === "") return { message: "it is empty" };
  const cached = parseErrors.get(text);
  if (cached) return cached;
  try {
    const problem = regexLiteralProblem(jsonata(text).ast());
    if (problem) {
      if (parseErrors.size > CACHE_MAX) parseErrors.clear();
      parseErrors.set(text, problem);
    }
    return problem;
  } catch (e) {
    const err = e as { message?: string; position?: number };
    const problem: ParseProblem = {
      message: `${err.message ?? "syntax error"}${err.position !== undefined ? ` (at character ${err.position})` : ""}`,
    };
    if (err.position !== undefined) problem.position = err.position;
    if (parseErrors.size > CACHE_MAX) parseErrors.clear();
    parseErrors.set(text, problem);
    return problem;
  }
}

/** The first regex literal that cannot run with RE2 semantics, as a parse problem. */
function regexLiteralProblem(ast: jsonata.ExprNode): ParseProblem | null {
  let found: ParseProblem | null = null;
  walk(ast, (node) => {
    if (found || (node.type as string) !== "regex" || !(node.value instanceof RegExp)) return;
    const re = node.value;
    const message = regexProblem(re.source, re.flags);
    if (message) {
      found = { message: `the regular expression /${re.source}/ cannot be used: ${message}` };
      if (typeof node.position === "number") found.position = node.position;
    }
  });
  return found;
}

/** The parsed syntax tree, or null when it does not parse. */
export function expressionAst(text: string): jsonata.ExprNode | null {
  if (parseProblem(text)) return null;
  return compileExpression(text).ast();
}

function short(text: string) {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length > 80 ? `${t.slice(0, 77)}…` : t;
}

/**
 * Evaluate over `context` with the limits. The result is plain JSON (or undefined when the
 * expression matches nothing). Throws ExpressionError on any failure, never anything else.
 */
export async function evaluateExpression(
  text: string,
  context: unknown,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
  bindings?: Record<string, unknown>,
): Promise<unknown> {
  const compiled = compileExpression(text, limits);
  let raw: unknown;
  try {
    raw = await compiled.evaluate(context, bindings);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (isRegexError(e)) throw new ExpressionError(`The expression "${short(text)}" was stopped: ${e.message}.`);
    if (err?.code === "D1012")
      throw new ExpressionError(
        `The expression "${short(text)}" took longer than ${limits.timeoutMs} ms and was stopped.`,
      );
    if (err?.code === "D2015")
      throw new ExpressionError(
        `The expression "${short(text)}" built a list longer than ${limits.maxSequence} items.`,
      );
    if (err?.code === "U1001" || err instanceof RangeError)
      throw new ExpressionError(`The expression "${short(text)}" went too deep or grew too large and was stopped.`);
    throw new ExpressionError(`The expression "${short(text)}" failed: ${err?.message ?? String(e)}`, { cause: e });
  }
  try {
    return toPlainJson(raw, limits.maxResultBytes);
  } catch (e) {
    if (e instanceof SizeLimitError)
      throw new ExpressionError(
        `The expression "${short(text)}" produced a result larger than ${limits.maxResultBytes} bytes.`,
      );
    if (e instanceof NotDataError) throw new ExpressionError(`The expression "${short(text)}": ${e.message}`);
    throw e;
  }
}

/** Node ids referred to as `nodes.<id>` (or `$$.nodes.<id>`) anywhere in the expression. */
export function referencedNodeIds(text: string): string[] {
  const ast = expressionAst(text);
  if (!ast) return [];
  const out = new Set<string>();
  walk(ast, (node) => {
    if ((node.type as string) !== "path" || !node.steps) return;
    const steps = node.steps;
    let i = 0;
    if (steps[0]?.type === "variable" && (steps[0].value === "" || steps[0].value === "$")) i = 1;
    if (steps[i]?.type === "name" && steps[i]?.value === "nodes" && steps[i + 1]?.type === "name") {
      out.add(String(steps[i + 1]?.value));
    }
  });
  return [...out];
}

/**
 * The leading field names of every path the expression reads from the run context's `input` or
 * `nodes` (e.g. `input.customer.email` → ["input", "customer", "email"]), for the checklist's
 * "no such input field / output field" problems.
 */
export function referencedContextPaths(text: string): string[][] {
  const ast = expressionAst(text);
  if (!ast) return [];
  const out: string[][] = [];
  walk(ast, (node) => {
    if ((node.type as string) !== "path" || !node.steps) return;
    const steps = node.steps;
    let i = 0;
    if (steps[0]?.type === "variable" && (steps[0].value === "" || steps[0].value === "$")) i = 1;
    const names: string[] = [];
    for (let j = i; j < steps.length && steps[j]?.type === "name"; j++) names.push(String(steps[j]?.value));
    if (names[0] === "input" || names[0] === "nodes") out.push(names);
  });
  return out;
}

function walk(node: unknown, visit: (n: jsonata.ExprNode) => void, depth = 0): void {
  if (depth > 500 || node === null || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const item of node) walk(item, visit, depth + 1);
    return;
  }
  const n = node as jsonata.ExprNode;
  if (typeof n.type === "string") visit(n);
  for (const value of Object.values(n)) {
    if (value && typeof value === "object") walk(value, visit, depth + 1);
  }
}
