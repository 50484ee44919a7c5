import { describe, expect, it } from "vitest";
import { chordOf, commandFor, KEYMAP, keyLabel } from "./keymap";

describe("editor keymap", () => {
  const k = (key: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
    key,
    ctrlKey: mods.ctrl,
    metaKey: mods.meta,
    shiftKey: mods.shift,
    altKey: mods.alt,
  });

  it("maps keys to commands; Ctrl and ⌘ are the same", () => {
    const edit = { canEdit: true };
    expect(commandFor(k("z", { ctrl: true }), edit)).toBe("undo");
    expect(commandFor(k("z", { meta: true }), edit)).toBe("undo");
    expect(commandFor(k("Z", { ctrl: true, shift: true }), edit)).toBe("redo");
    expect(commandFor(k("y", { ctrl: true }), edit)).toBe("redo");
    expect(commandFor(k("d", { ctrl: true }), edit)).toBe("duplicate");
    expect(commandFor(k("a", { meta: true }), edit)).toBe("selectAll");
    expect(commandFor(k("s", { ctrl: true }), edit)).toBe("save");
    expect(commandFor(k("f", { ctrl: true }), edit)).toBe("find");
    expect(commandFor(k("Delete"), edit)).toBe("delete");
    expect(commandFor(k("Backspace"), edit)).toBe("delete");
    expect(commandFor(k("n"), edit)).toBe("addStep");
    expect(commandFor(k("c"), edit)).toBe("connectTo");
    expect(commandFor(k("f"), edit)).toBe("fitView");
    expect(commandFor(k("1"), edit)).toBe("fitView");
    expect(commandFor(k("Escape"), edit)).toBe("escape");
  });

  it("leaves other keys alone: copy/paste go through the clipboard events, Alt+N is not N", () => {
    const edit = { canEdit: true };
    expect(commandFor(k("c", { ctrl: true }), edit)).toBeNull();
    expect(commandFor(k("v", { ctrl: true }), edit)).toBeNull();
    expect(commandFor(k("n", { alt: true }), edit)).toBeNull();
    expect(commandFor(k("x"), edit)).toBeNull();
    expect(commandFor(k("ArrowLeft"), edit)).toBeNull();
  });

  it("never gives a command that edits to a person who may only look", () => {
    const look = { canEdit: false };
    for (const key of [k("z", { ctrl: true }), k("Delete"), k("n"), k("c"), k("d", { ctrl: true })]) {
      expect(commandFor(key, look)).toBeNull();
    }
    expect(commandFor(k("f"), look)).toBe("fitView");
    expect(commandFor(k("f", { ctrl: true }), look)).toBe("find");
    expect(commandFor(k("a", { ctrl: true }), look)).toBe("selectAll");
  });

  it("has one command per chord and readable labels", () => {
    const chords = KEYMAP.flatMap((b) => b.keys);
    expect(new Set(chords).size).toBe(chords.length);
    expect(chordOf(k("z", { ctrl: true, shift: true }))).toBe("Shift+Mod+Z");
    expect(keyLabel("Shift+Mod+Z")).toBe("Shift+Ctrl+Z");
    expect(keyLabel("Shift+Mod+Z", true)).toBe("⇧⌘Z");
  });
});
