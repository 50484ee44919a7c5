/**
 * JSON Schemas handed to the AI SDK. `jsonSchema()` alone only describes: the SDK validates
 * nothing unless given a `validate` function, so ours runs the project's one checker (ajv), and a
 * mismatch carries path-named issues (SchemaMismatch → InvalidModelOutputError).
 */
import { jsonSchema, type Schema } from "ai";
import { NonRetryableError } from "@/lib/contracts/errors";
import { compileJsonSchema, isCompileError } from "@/lib/contracts/json-schema-check";
import { SchemaMismatch } from "./errors";

export function schemaFor(schema: Record<string, unknown>, path: string): Schema<unknown> {
  const compiled = compileJsonSchema(schema);
  if (isCompileError(compiled)) throw new NonRetryableError(`${path} is not a valid JSON Schema: ${compiled.error}`);
  return jsonSchema<unknown>(schema as Parameters<typeof jsonSchema>[0], {
    validate(value) {
      const issues = compiled.check(value, "output");
      return issues.length === 0 ? { success: true, value } : { success: false, error: new SchemaMismatch(issues) };
    },
  });
}

/**
 * True when OpenAI's strict structured outputs accept the schema: every object lists all its
 * properties as required and forbids others. Author schemas often do not, and strict mode would
 * refuse them (400); we validate ourselves either way.
 */
export function isStrictCompatible(schema: unknown, depth = 0): boolean {
  if (depth > 32) return false;
  if (!schema || typeof schema !== "object") return true;
  if (Array.isArray(schema)) return schema.every((s) => isStrictCompatible(s, depth + 1));
  const s = schema as Record<string, unknown>;
  const props = s.properties && typeof s.properties === "object" ? (s.properties as Record<string, unknown>) : null;
  const isObject = s.type === "object" || (Array.isArray(s.type) && s.type.includes("object")) || props !== null;
  if (isObject) {
    if (s.additionalProperties !== false) return false;
    const required = new Set(Array.isArray(s.required) ? s.required : []);
    if (props && Object.keys(props).some((k) => !required.has(k))) return false;
  }
  for (const key of ["properties", "items", "anyOf", "oneOf", "allOf", "$defs", "definitions"]) {
    const child = s[key];
    if (child === undefined) continue;
    const children = Array.isArray(child)
      ? child
      : key === "properties" || key === "$defs" || key === "definitions"
        ? Object.values(child as object)
        : [child];
    if (!children.every((c) => isStrictCompatible(c, depth + 1))) return false;
  }
  return true;
}
