// The run input a workflow gets when nobody gives one: the `default` of each top-level property
// of its input JSON Schema. The run dialog pre-fills these; `switchboard run` without --input
// runs with them. Browser-safe.

export function inputDefaults(schema: unknown): Record<string, unknown> {
  const properties = (schema as { properties?: Record<string, unknown> } | null | undefined)?.properties ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, property] of Object.entries(properties)) {
    const value = (property as { default?: unknown } | null)?.default;
    if (value !== undefined) out[name] = value;
  }
  return out;
}
