/**
 * JSON Schema checks (ajv) with readable, path-named problems. Used for the run input, approval
 * edit schemas, agent output schemas and guardrail checks. Compiled validators are cached by the
 * schema's JSON text.
 *
 * Ajv generates validation code from the schema; the schema comes from a workflow author, so we
 * cap its size and never load remote `$ref`s (no loadSchema is configured).
 */
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsImport from "ajv-formats";
import type { Issue } from "@/lib/engine/errors";

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

const MAX_SCHEMA_CHARS = 200_000;

let ajv: Ajv | null = null;
function getAjv(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true, addUsedSchema: false });
    addFormats(ajv);
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction | string>();

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
  let hit = cache.get(key);
  if (hit === undefined) {
    try {
      const { $schema: _ignored, $id: _id, ...rest } = schema as Record<string, unknown>;
      hit = getAjv().compile(rest);
    } catch (e) {
      hit = (e as Error).message;
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, hit);
  }
  if (typeof hit === "string") return { error: hit };
  const fn = hit;
  return {
    check(value, rootPath = "") {
      if (fn(value)) return [];
      return (fn.errors ?? []).slice(0, 50).map((e) => toIssue(e, rootPath));
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

function toIssue(e: ErrorObject, rootPath: string): Issue {
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
    case "pattern":
      return { path, message: `This does not have the expected form (${String(p.pattern)}).` };
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
