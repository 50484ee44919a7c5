import { describe, expect, it } from "vitest";
import type { ConfigMigration } from "./node-definition";
import { type MigratableDefinition, migrateConfig, migrateNode, migrateWorkflowDocument } from "./node-migrations";

// A made-up "greet" type whose config changed twice: v1 { text } → v2 { message } → v3 { message, loud }.
const renameText: ConfigMigration = {
  name: "greet-text-is-message",
  from: 1,
  to: 2,
  up: ({ text, ...rest }) => (text === undefined ? rest : { ...rest, message: text }),
};
const addLoud: ConfigMigration = {
  name: "greet-loud-flag",
  from: 2,
  to: 3,
  up: (c) => ({ loud: false, ...c }),
};
const greet: MigratableDefinition = {
  type: "greet",
  label: "Greet",
  configVersion: 3,
  migrations: [renameText, addLoud],
};
const plain: MigratableDefinition = { type: "plain", label: "Plain", configVersion: 1, migrations: [] };
const lookup = (type: string) => [greet, plain].find((d) => d.type === type);

const doc = (nodes: unknown[]) => ({ format: "switchboard.workflow/v1", name: "M", nodes, edges: [] });

describe("migrateConfig", () => {
  it("runs the named migrations in order up to the current version", () => {
    expect(migrateConfig(greet, { text: "hi" }, 1)).toEqual({
      ok: true,
      config: { loud: false, message: "hi" },
      version: 3,
      applied: ["greet-text-is-message", "greet-loud-flag"],
    });
    expect(migrateConfig(greet, { message: "hi", loud: true }, 2)).toEqual({
      ok: true,
      config: { message: "hi", loud: true },
      version: 3,
      applied: ["greet-loud-flag"],
    });
    expect(migrateConfig(greet, { message: "hi", loud: true }, 3)).toMatchObject({ ok: true, applied: [] });
  });

  it("never changes the config it is given, even when a migration mutates its argument", () => {
    const sloppy: MigratableDefinition = {
      ...greet,
      migrations: [
        {
          ...renameText,
          up: (c) => {
            c.message = c.text;
            delete c.text;
            return c;
          },
        },
        addLoud,
      ],
    };
    const config = Object.freeze({ text: "hi" });
    expect(migrateConfig(sloppy, config, 1)).toMatchObject({ ok: true, config: { message: "hi", loud: false } });
    expect(config).toEqual({ text: "hi" });
  });

  it("refuses a version newer than the definition knows, naming both versions", () => {
    const r = migrateConfig(greet, { message: "hi" }, 4);
    expect(r).toMatchObject({ ok: false, field: "version" });
    expect(!r.ok && r.message).toMatch(/config version 4.*up to version 3/);
  });

  it("reports a missing step and a migration that throws or returns no object", () => {
    const gap: MigratableDefinition = { ...greet, migrations: [addLoud] };
    const g = migrateConfig(gap, {}, 1);
    expect(g).toMatchObject({ ok: false, field: "version" });
    expect(!g.ok && g.message).toMatch(/no migration for Greet configs from version 1 to 2/);
    const throws: MigratableDefinition = {
      ...greet,
      migrations: [
        {
          ...renameText,
          up: () => {
            throw new Error("boom");
          },
        },
        addLoud,
      ],
    };
    const t = migrateConfig(throws, {}, 1, 'The Greet node "g"');
    expect(t).toMatchObject({ ok: false, field: "config" });
    expect(!t.ok && t.message).toBe(
      'The Greet node "g" could not be brought to config version 3: the migration "greet-text-is-message" (version 1 to 2) failed: boom',
    );
    const notObject: MigratableDefinition = {
      ...greet,
      migrations: [{ ...renameText, up: () => [] as unknown as Record<string, unknown> }, addLoud],
    };
    expect(migrateConfig(notObject, {}, 1)).toMatchObject({ ok: false, field: "config" });
  });
});

describe("migrateNode", () => {
  it("treats a node without version as version 1 and writes the current version", () => {
    const node = { id: "g", type: "greet", config: { text: "hi" } };
    expect(migrateNode(node, lookup)).toEqual({
      node: { id: "g", type: "greet", config: { loud: false, message: "hi" }, version: 3 },
      applied: ["greet-text-is-message", "greet-loud-flag"],
    });
  });

  it("returns the same object when nothing changes or validation must speak", () => {
    for (const node of [
      { id: "g", type: "greet", version: 3, config: { message: "hi", loud: false } },
      { id: "p", type: "plain", config: {} },
      { id: "u", type: "unknown", config: {} },
      { id: "v", type: "greet", version: "2", config: {} },
      { id: "w", type: "greet", version: 0, config: {} },
      { id: "x", type: "greet", config: "not an object" },
      null,
    ]) {
      expect(migrateNode(node, lookup).node).toBe(node);
    }
  });
});

describe("migrateWorkflowDocument", () => {
  it("migrates old nodes, keeps current ones, and returns the same document when nothing changed", () => {
    const current = doc([{ id: "p", type: "plain", config: {} }]);
    expect(migrateWorkflowDocument(current, lookup).document).toBe(current);

    const old = doc([
      { id: "p", type: "plain", config: {} },
      { id: "g", type: "greet", config: { text: "hi" } },
    ]);
    const frozen = structuredClone(old);
    const m = migrateWorkflowDocument(old, lookup);
    expect(m.issues).toEqual([]);
    expect(m.document.nodes[0]).toBe(old.nodes[0]);
    expect(m.document.nodes[1]).toEqual({ id: "g", type: "greet", config: { loud: false, message: "hi" }, version: 3 });
    expect(m.migrated).toEqual([
      { nodeId: "g", from: 1, to: 3, applied: ["greet-text-is-message", "greet-loud-flag"] },
    ]);
    expect(old).toEqual(frozen);
  });

  it("names the node and the field when a version is newer than this installation knows", () => {
    const m = migrateWorkflowDocument(doc([{ id: "later", type: "greet", version: 9, config: {} }]), lookup);
    expect(m.issues).toEqual([
      {
        path: "nodes[0].version",
        nodeId: "later",
        message:
          'The Greet node "later" has config version 9, but this version of Switchboard knows Greet configs up to version 3. Update Switchboard to use it.',
      },
    ]);
    expect([...m.failed]).toEqual([0]);
  });

  it("leaves what is not a document alone", () => {
    for (const x of [null, "text", 3, { nodes: "no" }, []]) expect(migrateWorkflowDocument(x, lookup).document).toBe(x);
  });
});
