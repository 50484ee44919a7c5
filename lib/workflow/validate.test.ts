import { describe, expect, it } from "vitest";
import refund from "./fixtures/refund.json";
import { validateWorkflow } from "./validate";
import { validateRunInput, type WorkflowIssue } from "./validate-document";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

function issuesOf(doc: unknown): WorkflowIssue[] {
  const r = validateWorkflow(doc);
  if (r.valid) return [];
  return r.issues;
}

function base(nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}) {
  return { format: "switchboard.workflow/v1", name: "T", nodes, edges, ...extra };
}
const trig = { id: "start", type: "trigger", config: { kind: "manual" } };
const tf = (id: string, expression = "input") => ({ id, type: "transform", config: { expression } });

describe("validateWorkflow", () => {
  it("accepts the refund example", () => {
    const r = validateWorkflow(refund);
    expect(r.issues).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it("needs exactly one trigger", () => {
    expect(issuesOf(base([tf("a")]))).toContainEqual({
      path: "nodes",
      message: "The workflow needs a trigger node, where every run starts.",
    });
    const two = issuesOf(base([trig, { ...trig, id: "start2" }]));
    expect(two).toContainEqual(expect.objectContaining({ path: "nodes[1].type", nodeId: "start2" }));
  });

  it("names dangling edges and missing handles", () => {
    const issues = issuesOf(
      base(
        [trig, tf("a"), { id: "c", type: "condition", config: { cases: [{ handle: "yes", when: "true" }] } }],
        [
          { source: "start", target: "a" },
          { source: "a", target: "ghost" },
          { source: "nobody", target: "a" },
          { source: "a", target: "c" },
          { source: "c", target: "a", sourceHandle: "maybe" },
        ],
      ),
    );
    expect(issues).toContainEqual({
      path: "edges[1].target",
      message: 'This edge ends at "ghost", but there is no node with that id.',
    });
    expect(issues).toContainEqual({
      path: "edges[2].source",
      message: 'This edge starts at "nobody", but there is no node with that id.',
    });
    expect(issues).toContainEqual({
      path: "edges[4].sourceHandle",
      message: '"c" has no outcome "maybe". Its outcomes are: yes, default.',
    });
  });

  it("refuses edges out of end nodes, into the trigger, and to notes", () => {
    const issues = issuesOf(
      base(
        [trig, tf("a"), { id: "e", type: "end", config: {} }, { id: "n", type: "note", config: { text: "hi" } }],
        [
          { source: "start", target: "a" },
          { source: "a", target: "e" },
          { source: "e", target: "a" },
          { source: "a", target: "start" },
          { source: "a", target: "n" },
        ],
      ),
    );
    expect(issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["edges[2].source", "edges[3].target", "edges[4]"]),
    );
  });

  it("reports unreachable nodes (notes are fine)", () => {
    const issues = issuesOf(
      base([trig, tf("a"), tf("island"), { id: "n", type: "note", config: {} }], [{ source: "start", target: "a" }]),
    );
    expect(issues).toEqual([
      {
        path: "nodes[2]",
        nodeId: "island",
        message: '"island" cannot be reached from the trigger, so it would never run. Connect it or remove it.',
      },
    ]);
  });

  it("reports loops nobody can leave, accepts loops with a condition", () => {
    const stuck = issuesOf(
      base(
        [trig, tf("a"), tf("b")],
        [
          { source: "start", target: "a" },
          { source: "a", target: "b" },
          { source: "b", target: "a" },
        ],
      ),
    );
    expect(stuck).toHaveLength(1);
    expect(stuck[0]!.message).toMatch(/form a loop with no condition/);
    const ok = issuesOf(
      base(
        [trig, tf("a"), { id: "again", type: "condition", config: { cases: [{ handle: "more", when: "true" }] } }],
        [
          { source: "start", target: "a" },
          { source: "a", target: "again" },
          { source: "again", target: "a", sourceHandle: "more" },
        ],
      ),
    );
    expect(ok).toEqual([]);
  });

  it("reports expressions and templates that do not parse, with the config path", () => {
    const issues = issuesOf(
      base(
        [
          trig,
          { id: "c", type: "condition", config: { cases: [{ handle: "ok", when: "input.(" }] } },
          { id: "ag", type: "agent", config: { prompt: "Hello {{ input.name " } },
        ],
        [
          { source: "start", target: "c" },
          { source: "c", target: "ag", sourceHandle: "ok" },
        ],
      ),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: "nodes[1].config.cases[0].when",
        message: expect.stringMatching(/does not parse/),
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ path: "nodes[2].config.prompt", message: expect.stringMatching(/never closed/) }),
    );
  });

  it("reports templates that refer to nodes that do not run before", () => {
    const issues = issuesOf(
      base(
        [trig, tf("a", "nodes.b.output"), tf("b", "nodes.a.output & nodes.ghost.output")],
        [
          { source: "start", target: "a" },
          { source: "a", target: "b" },
        ],
      ),
    );
    expect(issues).toContainEqual({
      path: "nodes[1].config.expression",
      nodeId: "a",
      message: 'This refers to node "b", which does not run before "a", so its output would be empty.',
    });
    expect(issues).toContainEqual({
      path: "nodes[2].config.expression",
      nodeId: "b",
      message: 'This refers to node "ghost", which does not exist.',
    });
  });

  it("validates each node's config with its own schema and names the field", () => {
    const issues = issuesOf(
      base(
        [
          trig,
          { id: "ask", type: "approval", config: { title: "", onTimeout: "escalate", colour: "red" } },
          { id: "h", type: "http", config: { method: "FETCH" } },
        ],
        [
          { source: "start", target: "ask" },
          { source: "ask", target: "h" },
        ],
      ),
    );
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "nodes[1].config.title",
        "nodes[1].config.colour",
        "nodes[2].config.method",
        "nodes[2].config.url",
      ]),
    );
    expect(issues.find((i) => i.path === "nodes[2].config.url")!.message).toBe("This field is required.");
    expect(issues.find((i) => i.path === "nodes[1].config.colour")!.message).toMatch(/not a known field/);
    expect(issues.find((i) => i.path === "nodes[2].config.method")!.message).toMatch(/must be one of/);
  });

  it("returns every problem at once", () => {
    const doc = clone(refund) as {
      nodes: { id: string; type: string; config: Record<string, unknown> }[];
      edges: unknown[];
    };
    doc.nodes[1]!.config.prompt = "{{ input.( }}";
    doc.nodes[4]!.config = { cases: [] };
    doc.nodes.push({ id: "lonely", type: "transform", config: { expression: "1" } });
    doc.edges.push({ source: "done", target: "ghost" });
    const paths = issuesOf(doc).map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(["nodes[1].config.prompt", "nodes[4].config.cases", "nodes[9]", "edges[8].target"]),
    );
  });

  it("names unknown node types and duplicate ids", () => {
    const issues = issuesOf(
      base([trig, { id: "x", type: "robot", config: {} }, tf("x")], [{ source: "start", target: "x" }]),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({
        path: "nodes[1].type",
        message: expect.stringMatching(/"robot" is not a known node type/),
      }),
    );
    expect(issues).toContainEqual(
      expect.objectContaining({ path: "nodes[2].id", message: expect.stringMatching(/Two nodes have the id "x"/) }),
    );
  });

  it("checks JSON Schemas inside the document compile", () => {
    const issues = issuesOf(
      base(
        [trig, { id: "a", type: "agent", config: { outputSchema: { type: "sometimes" } } }],
        [{ source: "start", target: "a" }],
        {
          input: { type: "object", properties: { x: { minimum: "zero" } } },
        },
      ),
    );
    expect(issues.map((i) => i.path)).toEqual(expect.arrayContaining(["nodes[1].config.outputSchema", "input"]));
  });

  describe("broken documents are rejected with clear errors, never a crash", () => {
    const corpus: [string, unknown, RegExp][] = [
      ["not an object", "hello", /must be a JSON object/],
      ["null", null, /must be a JSON object/],
      ["an array", [1, 2], /must be a JSON object/],
      ["wrong format", { ...base([trig]), format: "n8n" }, /not a Switchboard workflow/],
      ["missing trigger", base([tf("a")]), /needs a trigger/],
      ["nodes not a list", { format: "switchboard.workflow/v1", name: "x", nodes: "many" }, /must be a list/],
      ["dangling edge", base([trig], [{ source: "start", target: "nowhere" }]), /no node with that id/],
      [
        "unicode node id",
        base([trig, tf("größe")], [{ source: "start", target: "größe" }]),
        /must start with a letter/,
      ],
      [
        "10 MB config",
        base(
          [trig, { id: "big", type: "transform", config: { expression: "input", blob: "x".repeat(10_000_000) } }],
          [{ source: "start", target: "big" }],
        ),
        /larger than/,
      ],
      [
        "deep nesting",
        (() => {
          let v: unknown = "leaf";
          for (let i = 0; i < 5000; i++) v = { v };
          return base([trig, { id: "d", type: "end", config: { output: v } }], [{ source: "start", target: "d" }]);
        })(),
        /nested more than/,
      ],
      ["edge list of junk", base([trig], [42, "x", null] as unknown[]), /must be an object/],
      ["node without id", base([trig, { type: "end", config: {} }]), /required/],
    ];
    for (const [name, doc, pattern] of corpus) {
      it(name, () => {
        const r = validateWorkflow(doc);
        expect(r.valid).toBe(false);
        expect(r.issues.length).toBeGreaterThan(0);
        expect(r.issues.map((i) => i.message).join("\n")).toMatch(pattern);
        for (const i of r.issues) {
          expect(typeof i.path).toBe("string");
          expect(i.message.length).toBeGreaterThan(5);
        }
      });
    }

    it("accepts unicode in names and texts", () => {
      const r = validateWorkflow(
        base(
          [
            { ...trig, name: "Démarrage 🚀" },
            { id: "n", type: "end", name: "終わり", config: { output: "{{ '✓ ' & input.名前 }}" } },
          ],
          [{ source: "start", target: "n" }],
        ),
      );
      expect(r.issues).toEqual([]);
    });
  });
});

describe("validateRunInput", () => {
  it("names the path of each problem", () => {
    const issues = validateRunInput(refund as never, { message: "", amount: "lots", customer: { email: "nope" } });
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: "input.message", message: "This must be at least 1 characters long." },
        { path: "input.amount", message: "This must be a number." },
        { path: "input.customer.email", message: "This must be a valid email." },
      ]),
    );
    expect(validateRunInput(refund as never, { amount: 3 })).toEqual([
      { path: "input.message", message: "This field is required." },
    ]);
    expect(validateRunInput(refund as never, { message: "hi", amount: 3 })).toEqual([]);
    expect(validateRunInput({}, { anything: true })).toEqual([]);
  });
});
