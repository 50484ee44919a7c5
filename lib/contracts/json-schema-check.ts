/**
 * The one JSON Schema checker (ajv), with readable, path-named problems. Used for the run input,
 * node configs' schemas (workflow validation), approval edit schemas (the engine's `decide()` and
 * the inbox), agent output schemas and guardrail checks. Compiled validators are cached by the
 * schema's JSON text.
 *
 * Ajv generates validation code from the schema; the schema comes from a workflow author, so we
 * cap its size and nesting and never load remote `$ref`s (no loadSchema is configured).
 * `pattern` and `patternProperties` run with RE2 semantics in linear time (./safe-regex): a
 * backtracking pattern in a schema once took seconds per run start and held up every request.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsImport from "ajv-formats";
import type { Issue } from "./errors";
import { ajvRegExpEngine, isRegexError, tooCostly } from "./safe-regex";

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

/** Largest schema accepted, as JSON text. */
export const MAX_SCHEMA_CHARS = 200_000;
/** Deepest nesting of objects and arrays accepted inside a schema. */
export const MAX_SCHEMA_DEPTH = 32;
/** Most problems reported for one value. */
export const MAX_SCHEMA_ISSUES = 50;
const MAX_CACHED = 200;

let ajv: Ajv | null = null;
function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({
      allErrors: true,
      strict: false,
      validateFormats: true,
      addUsedSchema: false,
      code: { regExp: ajvRegExpEngine },
    });
    addFormats(ajv);
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction | string>();

/** Nesting depth of a JSON value (a scalar is 0), without recursion; stops counting past `limit`. */
function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (!v || typeof v !== "object") continue;
    if (d + 1 > deepest) deepest = d + 1;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return deepest;
}

export interface CompiledSchema {
  /** Problems, each with `path` (prefixed by `rootPath`) and a readable message. Empty: valid. */
  check(value: unknown, rootPath?: string): Issue[];
}

/** Compile a JSON Schema; returns a readable problem string when it is not a valid schema. */
export function compileJsonSchema(schema: unknown): CompiledSchema | { error: string } {
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) return { error: "it must be an object" };
  let key: string;
  try {
    key = JSON.stringify(schema);
  } catch {
    return { error: "it is not plain JSON" };
  }
  if (key.length > MAX_SCHEMA_CHARS) return { error: `it is larger than ${MAX_SCHEMA_CHARS} characters` };
  if (depthOf(schema, MAX_SCHEMA_DEPTH) > MAX_SCHEMA_DEPTH)
    return { error: `it is nested more than ${MAX_SCHEMA_DEPTH} levels deep` };
  let hit = cache.get(key);
  if (hit === undefined) {
    try {
      const { $schema: _ignored, $id: _id, ...rest } = schema as Record<string, unknown>;
      hit = getAjv().compile(rest);
    } catch (e) {
      hit = isRegexError(e) ? `the pattern "${e.pattern ?? ""}" cannot be used: ${e.message}` : (e as Error).message;
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, hit);
  }
  if (typeof hit === "string") return { error: hit };
  const fn = hit;
  return {
    check(value, rootPath = "") {
      if (fn(value)) return [];
      return (fn.errors ?? []).slice(0, MAX_SCHEMA_ISSUES).map((e) => toIssue(e, rootPath, value));
    },
  };
}

export function isCompileError(c: CompiledSchema | { error: string }): c is { error: string } {
  return "error" in c;
}

function pointerToPath(pointer: string, rootPath: string): string {
  let out = rootPath;
  if (!pointer) return out;
  for (const raw of pointer.split("/").slice(1)) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (/^\d+$/.test(seg)) out += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function join(base: string, key: string) {
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/** The value at a JSON pointer inside `root` (undefined when absent). */
function valueAt(root: unknown, pointer: string): unknown {
  let v = root;
  for (const raw of pointer.split("/").slice(1)) {
    if (!v || typeof v !== "object") return undefined;
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    v = Object.hasOwn(v, seg) ? (v as Record<string, unknown>)[seg] : undefined;
  }
  return v;
}

function toIssue(e: ErrorObject, rootPath: string, root: unknown): Issue {
  const path = pointerToPath(e.instancePath, rootPath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "required":
      return { path: join(path, String(p.missingProperty)), message: "This field is required." };
    case "additionalProperties":
      return {
        path: join(path, String(p.additionalProperty)),
        message: "This field is not allowed here.",
      };
    case "type":
      return { path: path || rootPath, message: `This must be ${article(String(p.type))}.` };
    case "enum":
      return {
        path,
        message: `This must be one of: ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}.`,
      };
    case "const":
      return { path, message: `This must be ${JSON.stringify(p.allowedValue)}.` };
    case "format":
      return { path, message: `This must be a valid ${String(p.format)}.` };
    case "minLength":
      return { path, message: `This must be at least ${p.limit} characters long.` };
    case "maxLength":
      return { path, message: `This must be at most ${p.limit} characters long.` };
    case "minimum":
    case "exclusiveMinimum":
    case "maximum":
    case "exclusiveMaximum":
      return { path, message: `This must be ${String(p.comparison)} ${String(p.limit)}.` };
    case "minItems":
      return { path, message: `This needs at least ${p.limit} items.` };
    case "maxItems":
      return { path, message: `This may have at most ${p.limit} items.` };
    case "pattern": {
      const text = valueAt(root, e.instancePath);
      if (typeof text === "string" && tooCostly(String(p.pattern), "u", text))
        return { path, message: `This is too long (${text.length} characters) to check against its pattern.` };
      return { path, message: `This does not have the expected form (${String(p.pattern)}).` };
    }
    default:
      return { path, message: `This ${e.message ?? "is not valid"}.` };
  }
}

function article(type: string) {
  const map: Record<string, string> = {
    string: "text",
    number: "a number",
    integer: "a whole number",
    boolean: "true or false",
    object: "an object",
    array: "a list",
    null: "null",
  };
  return type
    .split(",")
    .map((t) => map[t] ?? t)
    .join(" or ");
}
