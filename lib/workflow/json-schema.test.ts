import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import refund from "./fixtures/refund.json";
import { workflowJsonSchema, workflowJsonSchemaText } from "./json-schema";

describe("published JSON Schema", () => {
  it("docs/workflow.schema.json is up to date (run `npm run schema:write`)", () => {
    const path = fileURLToPath(new URL("../../docs/workflow.schema.json", import.meta.url));
    // Compared as JSON: the formatter may lay the file out differently.
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(JSON.parse(workflowJsonSchemaText()));
  });

  it("accepts a valid document and rejects a bad node config", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(workflowJsonSchema());
    expect(validate(refund)).toBe(true);
    const bad = JSON.parse(JSON.stringify(refund));
    bad.nodes[4].config.cases = "nope";
    expect(validate(bad)).toBe(false);
    bad.nodes[4].type = "robot";
    expect(validate(bad)).toBe(false);
  });
});

describe("docs/workflow-format.md", () => {
  it("its node-type section matches the definitions (run `npm run schema:write`)", async () => {
    const { withNodeTypes } = await import("./format-docs");
    const path = fileURLToPath(new URL("../../docs/workflow-format.md", import.meta.url));
    const text = readFileSync(path, "utf8");
    expect(text).toBe(withNodeTypes(text));
  });
});
