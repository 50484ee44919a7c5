// Turns a node type's zod config schema into form fields, through the JSON Schema zod
// generates (z.toJSONSchema, input side so defaults are optional). The same zod schema then
// validates what the form produces, so the form and the engine can never disagree.
import { z } from "zod";
import type { FieldEditorKind } from "@/lib/contracts/node-definition";
import { getNodeDefinition } from "../registry";
import { plainIssue } from "./messages";

export type FieldKind =
  | "text"
  | "textarea"
  | "select"
  | "number"
  | "nullableNumber"
  | "boolean"
  | "list"
  | "json"
  | "value";

export interface Field {
  key: string;
  label: string;
  description?: string;
  required: boolean;
  kind: FieldKind;
  options?: string[];
  defaultValue?: unknown;
  /** A purpose-built control instead of the generic one (the type's `editor.fieldEditors`). */
  editor?: FieldEditorKind;
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  default?: unknown;
};

/** A field name in words: `maxResponseBytes` → "Max response bytes". Definitions may name a field better (`editor.fieldLabels`). */
export function humanize(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

interface FieldHints {
  labels: Readonly<Record<string, string>>;
  multiline: ReadonlySet<string>;
  editors: Readonly<Record<string, FieldEditorKind>>;
}

function fieldFor(key: string, s: JsonSchema, required: boolean, hints: FieldHints): Field {
  const label = hints.labels[key] ?? humanize(key);
  const editor = hints.editors[key];
  const base = {
    key,
    label,
    description: s.description,
    required,
    defaultValue: s.default,
    ...(editor ? { editor } : {}),
  };
  const variants = s.anyOf ?? s.oneOf;
  if (variants) {
    const types = variants.map((v) => v.type);
    if (types.includes("null") && variants.some((v) => v.type === "number" || v.type === "integer"))
      return { ...base, kind: "nullableNumber" };
    return { ...base, kind: "text" };
  }
  if (Array.isArray(s.enum)) return { ...base, kind: "select", options: s.enum.map(String) };
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  if (Array.isArray(s.type) && s.type.includes("null") && (type === "number" || type === "integer"))
    return { ...base, kind: "nullableNumber" };
  switch (type) {
    case "string":
      return { ...base, kind: hints.multiline.has(key) ? "textarea" : "text" };
    case "number":
    case "integer":
      return { ...base, kind: "number" };
    case "boolean":
      return { ...base, kind: "boolean" };
    case "array":
      return s.items?.type === "string" ? { ...base, kind: "list" } : { ...base, kind: "json" };
    case "object":
      return { ...base, kind: "json" };
    default:
      return { ...base, kind: "value" };
  }
}

const cache = new Map<string, Field[]>();

/** The form fields of a node type (top-level config properties), cached. */
export function fieldsFor(type: string): Field[] {
  const hit = cache.get(type);
  if (hit) return hit;
  const def = getNodeDefinition(type);
  if (!def) return [];
  let schema: JsonSchema;
  try {
    schema = z.toJSONSchema(def.configSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  } catch {
    schema = { properties: {} };
  }
  const required = new Set(schema.required ?? []);
  const hints: FieldHints = {
    labels: def.editor?.fieldLabels ?? {},
    multiline: new Set(def.editor?.multilineFields ?? []),
    editors: def.editor?.fieldEditors ?? {},
  };
  const fields = Object.entries(schema.properties ?? {}).map(([k, s]) => fieldFor(k, s, required.has(k), hints));
  cache.set(type, fields);
  return fields;
}

/**
 * Config errors by top-level field ("" for the config as a whole), from the type's zod schema, in
 * plain words ("Enter a duration like 2 days", "Fill this in") rather than zod's wording.
 */
export function configErrors(type: string, config: unknown): Record<string, string[]> {
  const def = getNodeDefinition(type);
  if (!def) return { "": [`Unknown node type "${type}"`] };
  const parsed = def.configSchema.safeParse(config);
  if (parsed.success) return {};
  const out: Record<string, string[]> = {};
  const editors = def.editor?.fieldEditors ?? {};
  for (const issue of parsed.error.issues) {
    const key = issue.path.length ? String(issue.path[0]) : "";
    const message = plainIssue(issue, editors[key]);
    if (out[key]?.includes(message)) continue;
    out[key] ??= [];
    out[key].push(message);
  }
  return out;
}

/** Which top-level fields hold templates or expressions (so the form offers variables). */
export function expressionKinds(
  type: string,
  config: Record<string, unknown>,
): Record<string, "template" | "expression"> {
  const def = getNodeDefinition(type);
  const out: Record<string, "template" | "expression"> = {};
  if (!def) return out;
  try {
    const parsed = def.configSchema.safeParse(config);
    const list = def.expressions(parsed.success ? parsed.data : ({ ...(def.defaults as object), ...config } as never));
    for (const e of list) {
      const key = e.path.split(/[.[]/)[0];
      if (key && !out[key]) out[key] = e.kind;
    }
  } catch {
    // an incomplete config: no hints
  }
  // fields that always take templates/expressions, even while empty
  return Object.assign(out, def.editor?.expressionFields);
}
