import { describe, expect, it } from "vitest";
import { isEntryType, nodeCatalog, outcomesFor, runsInEngine, varsWrittenBy } from "./canvas-registry";

describe("the canvas reads node types from their definitions", () => {
  it("draws a half-written condition's handles from its draftOutcomes hook", () => {
    expect(outcomesFor("condition", { cases: [{ handle: "big" }, {}], default: "small" })).toEqual([
      { handle: "small", label: "small" },
      { handle: "big", label: "big" },
    ]);
    expect(outcomesFor("approval", {}).map((o) => o.handle)).toEqual(["approved", "rejected"]);
  });

  it("knows which types run, which one starts a run, and which vars a node writes", () => {
    expect([runsInEngine("note"), runsInEngine("agent"), runsInEngine("no-such-type")]).toEqual([false, true, true]);
    expect([isEntryType("trigger"), isEntryType("agent"), isEntryType(undefined)]).toEqual([true, false, false]);
    expect(varsWrittenBy("set", { vars: { a: 1, b: 2 } })).toEqual(["a", "b"]);
    expect(varsWrittenBy("agent", { writes: { c: "{{ output }}" } })).toEqual(["c"]);
    expect(varsWrittenBy("agent", {})).toEqual([]);
    expect(varsWrittenBy("http", { vars: { a: 1 } })).toEqual([]);
  });

  it("gives new nodes their type's config version and migrates loaded ones", () => {
    expect(nodeCatalog.configVersion("a2a")).toBe(2);
    expect(nodeCatalog.configVersion("agent")).toBe(1);
    const old = {
      id: "ask",
      type: "a2a",
      config: { agentCardUrl: "https://a.test/.well-known/agent.json", message: "m" },
    };
    expect(nodeCatalog.migrateNode(old)).toMatchObject({
      version: 2,
      config: { agentCardUrl: "https://a.test/.well-known/agent-card.json" },
    });
    const agent = { id: "a", type: "agent", config: {} };
    expect(nodeCatalog.migrateNode(agent)).toBe(agent);
  });
});
