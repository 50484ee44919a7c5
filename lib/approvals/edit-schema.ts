// Validation of an edited payload against the approval node's editSchema (JSON Schema), with
// one field-named error per problem. Ajv compiles the schema once per distinct schema text.
import { Ajv, type ErrorObject } from "ajv";
import addFormats from "ajv-formats";
import type { FieldError } from "../server/errors";

const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
(addFormats as unknown as (a: Ajv) => void)(ajv);
const cache = new Map<string, ReturnType<Ajv["compile"]>>();

function compile(schema: object) {
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(schema);
    if (cache.size > 200) cache.clear();
    cache.set(key, fn);
  }
  return fn;
}

function pathOf(error: ErrorObject): string {
  const segments = error.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (error.keyword === "required")
    segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === "additionalProperties")
    segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return segments.join(".");
}

function messageOf(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return "is required";
    case "additionalProperties":
      return "is not an allowed field";
    case "type":
      return `must be a ${(error.params as { type: string }).type}`;
    default:
      return error.message ?? "is not valid";
  }
}

/**
 * Checks `data` against `schema`. Returns [] when valid. Paths are dot-joined field names under
 * the edited data (`amount`, `lines.0.sku`); the root is "".
 */
export function validateEdit(schema: unknown, data: unknown): FieldError[] {
  if (!schema || typeof schema !== "object") return [];
  let validate: ReturnType<Ajv["compile"]>;
  try {
    validate = compile(schema);
  } catch (error) {
    return [{ path: "", message: `The approval's edit schema is not valid: ${(error as Error).message}` }];
  }
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of validate.errors ?? []) {
    const path = pathOf(error);
    const message = messageOf(error);
    const key = `${path}\u0000${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ path, message });
  }
  return out;
}
