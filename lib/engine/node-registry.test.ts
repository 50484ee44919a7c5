import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidWorkflowError } from "@/lib/contracts/errors";
import type { Executor } from "@/lib/contracts/node";
import { createNodeDefinitions, createNodeRegistry } from "@/lib/contracts/node-registry";
import { builtinNodes } from "@/lib/nodes/builtin";
import { createTestEngine } from "@/lib/testing/test-engine";
import { edge, node, trigger, workflow } from "./testing/builders";

// A node type the engine has never heard of, built from the transform's definition so it keeps
// whatever fields definitions gain.
const doubleDefinition = {
  ...builtinNodes.definition("transform")!,
  type: "double",
  label: "Double",
  configSchema: z.object({ of: z.number() }).strict(),
  defaults: { of: 1 },
  expressions: () => [],
};
const doubleExecutor: Executor<{ of: number }> = {
  async run(ctx) {
    return { kind: "done", output: ctx.config.of * 2 };
  },
};
const small = () =>
  createNodeRegistry([builtinNodes.definition("trigger")!, doubleDefinition, builtinNodes.definition("end")!], {
    trigger: builtinNodes.executor("trigger")!,
    double: doubleExecutor,
    end: builtinNodes.executor("end")!,
  });

describe("the engine runs the node types it is given", () => {
  it("runs a type that only its registry knows", async () => {
    const t = createTestEngine({ nodes: small() });
    const doc = workflow(
      [trigger(), node("twice", "double", { of: 21 }), node("done", "end", { output: "{{ nodes.twice.output }}" })],
      [edge("start", "twice"), edge("twice", "done")],
    );
    const r = await t.engine.execute({ document: doc }, {});
    expect(r.status).toBe("succeeded");
    expect(r.output).toBe(42);
  });

  it("refuses a built-in type its registry leaves out, naming the types it knows", async () => {
    const t = createTestEngine({ nodes: small() });
    const doc = workflow([trigger(), node("t", "transform", { expression: "1" })], [edge("start", "t")]);
    const err = await t.engine.execute({ document: doc }, {}).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidWorkflowError);
    expect(err.issues).toContainEqual(
      expect.objectContaining({
        path: "nodes[1].type",
        message: expect.stringContaining("Known types: trigger, double, end."),
      }),
    );
    expect(t.store.dump().runs).toHaveLength(0);
  });

  it("the same document compiles separately per registry", async () => {
    const doc = workflow([trigger(), node("t", "transform", { expression: "1" })], [edge("start", "t")]);
    expect((await createTestEngine().engine.execute({ document: doc }, {})).status).toBe("succeeded");
    await expect(createTestEngine({ nodes: small() }).engine.execute({ document: doc }, {})).rejects.toBeInstanceOf(
      InvalidWorkflowError,
    );
  });
});

describe("building a registry", () => {
  it("refuses a type defined twice and a type without an executor", () => {
    const trig = builtinNodes.definition("trigger")!;
    expect(() => createNodeDefinitions([trig, trig])).toThrow(/"trigger" is defined twice/);
    expect(() => createNodeRegistry([trig, doubleDefinition], { trigger: builtinNodes.executor("trigger")! })).toThrow(
      /"double" has no executor/,
    );
  });

  it("lists the built-in types in palette order, each with its executor", () => {
    const types = builtinNodes.definitions.map((d) => d.type);
    expect(types[0]).toBe("trigger");
    for (const type of types) expect(builtinNodes.executor(type)).toBeDefined();
    expect(builtinNodes.definition("robot")).toBeUndefined();
  });
});
