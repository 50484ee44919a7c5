/**
 * Templates: strings with `{{ expression }}` parts. A string that is exactly one `{{ }}` part
 * (surrounding whitespace allowed) keeps the value's type; otherwise each part is turned into
 * text (strings as they are, null/missing as "", everything else as JSON) and joined.
 */
import { ExpressionError, type Issue } from "@/lib/contracts/errors";
import {
  DEFAULT_EXPRESSION_LIMITS,
  type ExpressionLimits,
  evaluateExpression,
  parseProblem,
  referencedContextPaths,
  referencedNodeIds,
} from "./expression";
import { SizeLimitError, toPlainJson } from "./size";

export type TemplatePart = { kind: "text"; text: string } | { kind: "expr"; expr: string; start: number };

export interface ParsedTemplate {
  parts: TemplatePart[];
  /** The whole string is one `{{ }}`: the value keeps its type. */
  single: boolean;
}

export interface TemplateProblem {
  message: string;
}

const parsedCache = new Map<string, ParsedTemplate | TemplateProblem>();

export function hasTemplate(text: string): boolean {
  return text.includes("{{");
}

/**
 * Split a template. An expression may itself contain `}}` (e.g. an object literal), so for each
 * `{{` the first closing `}}` whose content parses is used.
 */
export function parseTemplate(text: string): ParsedTemplate | TemplateProblem {
  const cached = parsedCache.get(text);
  if (cached) return cached;
  const result = parseUncached(text);
  if (parsedCache.size > 5000) parsedCache.clear();
  parsedCache.set(text, result);
  return result;
}

function parseUncached(text: string): ParsedTemplate | TemplateProblem {
  const parts: TemplatePart[] = [];
  let i = 0;
  while (i < text.length) {
    const open = text.indexOf("{{", i);
    if (open < 0) {
      parts.push({ kind: "text", text: text.slice(i) });
      break;
    }
    if (open > i) parts.push({ kind: "text", text: text.slice(i, open) });
    let close = text.indexOf("}}", open + 2);
    if (close < 0) return { message: `a "{{" at character ${open} is never closed with "}}"` };
    let chosen = -1;
    let firstProblem: string | null = null;
    while (close >= 0) {
      const inner = text.slice(open + 2, close);
      const problem = inner.trim() === "" ? { message: "it is empty" } : parseProblem(inner);
      if (!problem) {
        chosen = close;
        break;
      }
      firstProblem ??= problem.message;
      close = text.indexOf("}}", close + 1);
    }
    if (chosen < 0) {
      return {
        message: `the expression "${text.slice(open + 2, text.indexOf("}}", open + 2)).trim()}" does not parse: ${firstProblem}`,
      };
    }
    parts.push({ kind: "expr", expr: text.slice(open + 2, chosen).trim(), start: open });
    i = chosen + 2;
  }
  const exprs = parts.filter((p) => p.kind === "expr");
  const single =
    exprs.length === 1 && parts.every((p) => p.kind === "expr" || (p.kind === "text" && p.text.trim() === ""));
  return { parts, single };
}

export function isTemplateProblem(p: ParsedTemplate | TemplateProblem): p is TemplateProblem {
  return "message" in p;
}

/** Render one template string. Plain strings (no `{{`) come back unchanged. */
export async function renderTemplate(
  text: string,
  context: unknown,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<unknown> {
  if (!hasTemplate(text)) return text;
  const parsed = parseTemplate(text);
  if (isTemplateProblem(parsed))
    throw new ExpressionError(`The template "${shorten(text)}" is not valid: ${parsed.message}`);
  if (parsed.single) {
    const expr = parsed.parts.find((p) => p.kind === "expr") as { expr: string };
    const value = await evaluateExpression(expr.expr, context, limits);
    return value === undefined ? null : value;
  }
  let out = "";
  for (const part of parsed.parts) {
    if (part.kind === "text") out += part.text;
    else out += stringify(await evaluateExpression(part.expr, context, limits));
    if (out.length > limits.maxResultBytes)
      throw new ExpressionError(
        `The template "${shorten(text)}" produced more than ${limits.maxResultBytes} characters.`,
      );
  }
  return out;
}

function stringify(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

function shorten(text: string) {
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

/**
 * Render every string inside a JSON value (objects, arrays) as a template. Keys are not rendered.
 * The result is checked against the size limit.
 */
export async function renderDeep(
  value: unknown,
  context: unknown,
  limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS,
): Promise<unknown> {
  // Fast path (hot: every step renders its config): nothing to render, nothing to copy.
  if (typeof value === "string") {
    if (!value.includes("{{")) return value;
  } else if (value === null || typeof value !== "object") return value;
  else if (!containsTemplate(value)) return value;
  const out = await renderInner(value, context, limits, 0);
  try {
    return toPlainJson(out, limits.maxResultBytes);
  } catch (e) {
    if (e instanceof SizeLimitError)
      throw new ExpressionError(`The rendered value is larger than ${limits.maxResultBytes} bytes.`);
    throw e;
  }
}

const templateFree = new WeakMap<object, boolean>();

/** Does any string inside hold `{{`? Cached per object (configs are parsed once and never changed). */
function containsTemplate(value: object): boolean {
  const hit = templateFree.get(value);
  if (hit !== undefined) return !hit;
  let found = false;
  visitStrings(value, "", (text) => {
    if (!found && text.includes("{{")) found = true;
  });
  templateFree.set(value, !found);
  return found;
}

async function renderInner(
  value: unknown,
  context: unknown,
  limits: ExpressionLimits,
  depth: number,
): Promise<unknown> {
  if (depth > 100) throw new ExpressionError("The value is nested more than 100 levels deep.");
  if (typeof value === "string") return renderTemplate(value, context, limits);
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) out.push(await renderInner(item, context, limits, depth + 1));
    return out;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: await renderInner(v, context, limits, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/** Every template problem inside a JSON value, with the path of the string. */
export function templateProblems(value: unknown, path: string): Issue[] {
  const out: Issue[] = [];
  visitStrings(value, path, (text, p) => {
    if (!hasTemplate(text)) return;
    const parsed = parseTemplate(text);
    if (isTemplateProblem(parsed)) out.push({ path: p, message: `This template is not valid: ${parsed.message}.` });
  });
  return out;
}

/** Node ids a JSON value's templates refer to (`nodes.<id>`), with the path of each string. */
export function templateNodeRefs(value: unknown, path: string): { path: string; nodeId: string }[] {
  const out: { path: string; nodeId: string }[] = [];
  visitStrings(value, path, (text, p) => {
    if (!hasTemplate(text)) return;
    const parsed = parseTemplate(text);
    if (isTemplateProblem(parsed)) return;
    for (const part of parsed.parts) {
      if (part.kind === "expr") for (const id of referencedNodeIds(part.expr)) out.push({ path: p, nodeId: id });
    }
  });
  return out;
}

/** The `input.…` and `nodes.…` paths a template's expressions read (see referencedContextPaths). */
export function templateContextPaths(value: unknown, path: string): { path: string; names: string[] }[] {
  const out: { path: string; names: string[] }[] = [];
  visitStrings(value, path, (text, p) => {
    if (!hasTemplate(text)) return;
    const parsed = parseTemplate(text);
    if (isTemplateProblem(parsed)) return;
    for (const part of parsed.parts) {
      if (part.kind === "expr") for (const names of referencedContextPaths(part.expr)) out.push({ path: p, names });
    }
  });
  return out;
}

export function visitStrings(value: unknown, path: string, fn: (text: string, path: string) => void, depth = 0): void {
  if (depth > 100) return;
  if (typeof value === "string") fn(value, path);
  else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) visitStrings(value[i], `${path}[${i}]`, fn, depth + 1);
  } else if (value && typeof value === "object")
    for (const [k, v] of Object.entries(value)) visitStrings(v, `${path}.${k}`, fn, depth + 1);
}
