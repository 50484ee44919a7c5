import { describe, expect, it } from "vitest";
import { compileJsonSchema, isCompileError, MAX_SCHEMA_CHARS, MAX_SCHEMA_DEPTH } from "./json-schema-check";

/** A schema whose JSON nests `levels` objects deep (properties → a → properties → a …). */
function nested(levels: number): Record<string, unknown> {
  let schema: Record<string, unknown> = { type: "string" };
  // each wrap adds two levels: the schema object and its `properties` object
  for (let depth = 1; depth < levels; depth += 2) schema = { type: "object", properties: { a: schema } };
  return schema;
}

function compiled(schema: unknown) {
  const c = compileJsonSchema(schema);
  if (isCompileError(c)) throw new Error(c.error);
  return c;
}

describe("compileJsonSchema", () => {
  const order = {
    type: "object",
    properties: {
      amount: { type: "number", maximum: 100 },
      email: { type: "string", format: "email" },
      lines: { type: "array", items: { type: "object", properties: { sku: { type: "string" } }, required: ["sku"] } },
    },
    required: ["amount"],
    additionalProperties: false,
  };

  it("names each problem by its path under the root, in words", () => {
    const issues = compiled(order).check({ amount: 500, email: "nope", lines: [{}], extra: 1 }, "input");
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "input.amount", message: "This must be <= 100." },
        { path: "input.email", message: "This must be a valid email." },
        { path: "input.lines[0].sku", message: "This field is required." },
        { path: "input.extra", message: "This field is not allowed here." },
      ]),
    );
    expect(compiled(order).check({ amount: 5 })).toEqual([]);
    expect(compiled(order).check({})).toEqual([{ path: "amount", message: "This field is required." }]);
  });

  it("refuses what is not a schema object, with a reason", () => {
    for (const bad of [null, "x", [1], 3]) expect(compileJsonSchema(bad)).toEqual({ error: "it must be an object" });
    const broken = compileJsonSchema({ type: "no-such-type" });
    expect(isCompileError(broken) && broken.error).toMatch(/type/);
  });

  it("caps the size of a schema", () => {
    const big = { type: "object", description: "x".repeat(MAX_SCHEMA_CHARS) };
    expect(compileJsonSchema(big)).toEqual({ error: `it is larger than ${MAX_SCHEMA_CHARS} characters` });
  });

  it("caps how deep a schema nests", () => {
    expect(isCompileError(compileJsonSchema(nested(MAX_SCHEMA_DEPTH - 1)))).toBe(false);
    expect(compileJsonSchema(nested(MAX_SCHEMA_DEPTH + 2))).toEqual({
      error: `it is nested more than ${MAX_SCHEMA_DEPTH} levels deep`,
    });
  });

  it("reuses the compiled validator for the same schema text", () => {
    const a = compiled({ type: "object", required: ["x"] });
    const b = compiled({ type: "object", required: ["x"] });
    expect(a.check({})).toEqual(b.check({}));
    expect(b.check({ x: 1 })).toEqual([]);
  });
});
