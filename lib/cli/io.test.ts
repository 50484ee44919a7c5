import { describe, expect, it } from "vitest";
import { CliError, jsonErrorOffset, parseJson, readJsonArgument } from "./io";

describe("JSON errors name the line and column", () => {
  it.each([
    ['{"a": }', 6],
    ['{"a": 1,}', 8],
    ["[1, 2", 5],
    ['{"a": tru}', 6],
    ['{"a": "x\n"}', 8],
    ['{"a": 1} x', 9],
    ["", 0],
  ])("%j fails at offset %i", (text, offset) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(jsonErrorOffset(text)).toBe(offset);
  });

  it.each(['{"a": [1, {"b": null}], "c": "\\u00e9"}', "  42 ", '"x"', "[]"])("%j is valid", (text) => {
    expect(jsonErrorOffset(text)).toBeNull();
  });

  it("says where in a multi-line file", () => {
    expect(() => parseJson('{\n  "name": "x",\n  "nodes": [,]\n}', "wf.json")).toThrow(
      /wf\.json is not valid JSON at line 3, column 13/,
    );
  });

  it("reads --input from @file and reports a missing one as bad input", () => {
    expect(readJsonArgument('{"a":1}', "--input")).toEqual({ a: 1 });
    try {
      readJsonArgument("@/nonexistent/in.json", "--input");
      throw new Error("should have thrown");
    } catch (e) {
      expect(e).toBeInstanceOf(CliError);
      expect((e as CliError).code).toBe(2);
      expect((e as Error).message).toMatch(/--input file .*in\.json: it does not exist/);
    }
  });
});
