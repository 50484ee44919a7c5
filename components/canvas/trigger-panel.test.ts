import { describe, expect, it } from "vitest";
import { fieldProblems, fieldsFromSchema, previewFireTimes, schemaFromFields } from "./trigger-panel";

describe("input designer", () => {
  it("round-trips a schema through rows, keeping what the rows do not edit", () => {
    const schema = {
      type: "object",
      properties: {
        subject: { type: "string", title: "Subject", default: "Site is down", description: "The subject" },
        count: { type: "integer", examples: [3] },
      },
      required: ["subject"],
      additionalProperties: false,
    };
    const rows = fieldsFromSchema(schema);
    expect(rows.map((r) => [r.name, r.type, r.required, r.example])).toEqual([
      ["subject", "string", true, ""],
      ["count", "number", false, "3"],
    ]);
    expect(schemaFromFields(rows, schema)).toEqual(schema);
  });

  it("writes new fields with description, example and required", () => {
    const rows = [
      {
        name: "topic",
        type: "string" as const,
        required: true,
        description: "What about",
        example: "otters",
        rest: {},
      },
      { name: "tags", type: "array" as const, required: false, description: "", example: '["a"]', rest: {} },
    ];
    expect(schemaFromFields(rows, undefined)).toEqual({
      type: "object",
      properties: {
        topic: { type: "string", description: "What about", examples: ["otters"] },
        tags: { type: "array", examples: [["a"]] },
      },
      required: ["topic"],
    });
  });

  it("names bad rows and leaves them out of the schema", () => {
    const rows = [
      { name: "ok", type: "string" as const, required: false, description: "", example: "", rest: {} },
      { name: "ok", type: "string" as const, required: false, description: "", example: "", rest: {} },
      { name: "1bad", type: "string" as const, required: false, description: "", example: "", rest: {} },
      { name: "n", type: "number" as const, required: false, description: "", example: "abc", rest: {} },
    ];
    const problems = fieldProblems(rows);
    expect(Object.keys(problems)).toEqual(["1", "2", "3"]);
    expect(Object.keys((schemaFromFields(rows, undefined).properties as object) ?? {})).toEqual(["ok", "n"]);
  });

  it("previews five fire times or the cron error", () => {
    const p = previewFireTimes("0 9 * * 1-5", "Europe/Paris", new Date("2026-12-04T12:00:00Z"));
    expect(p.times.map((t) => t.toISOString())).toEqual([
      "2026-12-07T08:00:00.000Z",
      "2026-12-08T08:00:00.000Z",
      "2026-12-09T08:00:00.000Z",
      "2026-12-10T08:00:00.000Z",
      "2026-12-11T08:00:00.000Z",
    ]);
    expect(previewFireTimes("61 * * * *", "UTC").error).toEqual(expect.any(String));
  });
});
