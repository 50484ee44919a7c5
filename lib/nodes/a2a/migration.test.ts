// The a2a node's config version 2 (A2A 1.0 moved the agent card to /.well-known/agent-card.json),
// followed through every place a document is loaded: import (validation), the editor, compile.
import { describe, expect, it } from "vitest";
import { createTestCanvas } from "@/lib/canvas/testing";
import type { WorkflowDoc } from "@/lib/canvas/types";
import { InvalidWorkflowError } from "@/lib/contracts/errors";
import { compileWorkflow } from "@/lib/engine/compiled";
import { migrateWorkflow, validateWorkflow } from "@/lib/workflow/validate";
import { builtinNodes } from "../builtin";
import { nodeCatalog } from "../canvas-registry";
import { a2aDefinition, agentCardPathMigration } from "./definition";

const OLD = "https://agents.example.com/.well-known/agent.json";
const NEW = "https://agents.example.com/.well-known/agent-card.json";

/** A document saved before the a2a node had config version 2: no `version`, the old card path. */
function v1Document(extra: Record<string, unknown> = {}) {
  return {
    format: "switchboard.workflow/v1",
    name: "Ask a remote agent",
    nodes: [
      { id: "start", type: "trigger", config: { kind: "manual" } },
      { id: "ask", type: "a2a", name: "Ask", config: { agentCardUrl: OLD, message: "{{ input }}" }, ...extra },
    ],
    edges: [{ source: "start", target: "ask" }],
  };
}

describe("a2a config version 2: the A2A 1.0 agent card path", () => {
  it("is the definition's current version, with one named migration", () => {
    expect(a2aDefinition.configVersion).toBe(2);
    expect(a2aDefinition.migrations.map((m) => [m.name, m.from, m.to])).toEqual([["a2a-1.0-agent-card-path", 1, 2]]);
    expect(a2aDefinition.defaults.agentCardUrl).toBe("https://example.com/.well-known/agent-card.json");
  });

  it("moves only the old well-known path, keeping the rest of the URL", () => {
    const up = (agentCardUrl: unknown) => agentCardPathMigration.up({ agentCardUrl, message: "m" }).agentCardUrl;
    expect(up(OLD)).toBe(NEW);
    expect(up("http://localhost:4000/.well-known/agent.json?tenant=a#card")).toBe(
      "http://localhost:4000/.well-known/agent-card.json?tenant=a#card",
    );
    expect(up("https://host.test/team/.well-known/agent.json")).toBe(
      "https://host.test/team/.well-known/agent-card.json",
    );
    for (const same of [NEW, "https://host.test/cards/agent.json", "https://host.test/.well-known/agent.jsonl", 42]) {
      expect(up(same)).toBe(same);
    }
  });

  it("import: validation migrates the document it returns (what the CLI and the workflow import store)", () => {
    const raw = v1Document();
    const before = structuredClone(raw);
    const result = validateWorkflow(raw);
    expect(result.issues).toEqual([]);
    expect(result.document?.nodes[1]).toMatchObject({ id: "ask", version: 2, config: { agentCardUrl: NEW } });
    expect(raw).toEqual(before);
  });

  it("import: migrateWorkflow gives the document an import stores (the same object when nothing changes)", () => {
    const migrated = migrateWorkflow(v1Document());
    expect(migrated.nodes[1]).toMatchObject({ version: 2, config: { agentCardUrl: NEW } });
    expect(migrateWorkflow(migrated)).toBe(migrated);
  });

  it("import: a node from a newer Switchboard is refused, naming the node and the field", () => {
    const result = validateWorkflow(v1Document({ version: 3 }));
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual([
      {
        path: "nodes[1].version",
        nodeId: "ask",
        message:
          'The A2A agent node "ask" has config version 3, but this version of Switchboard knows A2A agent configs up to version 2. Update Switchboard to use it.',
      },
    ]);
    expect(validateWorkflow(v1Document({ version: 0 })).issues.map((i) => i.path)).toEqual(["nodes[1].version"]);
  });

  it("editor: loading a draft migrates it, and saving writes the current version", () => {
    const canvas = createTestCanvas(v1Document() as WorkflowDoc, nodeCatalog);
    const saved = canvas.doc().nodes.find((n) => n.id === "ask");
    expect(saved).toMatchObject({ version: 2, config: { agentCardUrl: NEW } });
    expect(canvas.state.past).toEqual([]); // loading is not an edit

    canvas.state.replaceDocument(v1Document({ name: "Reloaded" }) as WorkflowDoc);
    expect(canvas.doc().nodes[1]).toMatchObject({ name: "Reloaded", version: 2, config: { agentCardUrl: NEW } });

    const added = canvas.add("a2a");
    expect(canvas.doc().nodes.find((n) => n.id === added)).toMatchObject({ version: 2 });
    const trigger = canvas.add("trigger");
    expect(canvas.doc().nodes.find((n) => n.id === trigger)).not.toHaveProperty("version");
  });

  it("editor: a document already at the current versions round-trips unchanged", () => {
    const current = v1Document({ version: 2, config: { agentCardUrl: NEW, message: "hi" } }) as WorkflowDoc;
    const canvas = createTestCanvas(structuredClone(current), nodeCatalog);
    const positioned = current.nodes.map((n, i) => ({ ...n, position: canvas.doc().nodes[i].position }));
    expect(canvas.doc()).toEqual({ ...current, nodes: positioned });
  });

  it("editor: a node it cannot migrate is kept as it was, for validation to explain", () => {
    const canvas = createTestCanvas(v1Document({ version: 3 }) as WorkflowDoc, nodeCatalog);
    expect(canvas.doc().nodes[1]).toMatchObject({ version: 3, config: { agentCardUrl: OLD } });
  });

  it("compile: the engine runs the migrated config", () => {
    const compiled = compileWorkflow(v1Document(), builtinNodes);
    const ask = compiled.nodes.get("ask")!;
    expect(ask.config).toMatchObject({ agentCardUrl: NEW });
    expect(ask.node.version).toBe(2);
  });

  it("compile: a node from a newer Switchboard is an invalid workflow naming the node and the field", () => {
    let error: unknown;
    try {
      compileWorkflow(v1Document({ version: 3 }), builtinNodes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidWorkflowError);
    expect((error as { issues: { path: string; nodeId?: string }[] }).issues).toMatchObject([
      { path: "nodes[1].version", nodeId: "ask" },
    ]);
  });
});
