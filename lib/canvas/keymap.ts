// The editor's keyboard shortcuts as one table: the key handler looks commands up here, and the
// help text in the side panel is written from it, so the two cannot disagree. "Mod" is Ctrl, or
// ⌘ on a Mac. Shortcuts never fire while the person types in a field (see isTypingTarget).

export type EditorCommand =
  | "undo"
  | "redo"
  | "duplicate"
  | "selectAll"
  | "save"
  | "find"
  | "delete"
  | "addStep"
  | "connectTo"
  | "fitView"
  | "escape";

export interface KeyBinding {
  command: EditorCommand;
  /** e.g. "Mod+Z", "Shift+Mod+Z", "Delete", "N" */
  keys: string[];
  /** what the help text says it does */
  label: string;
  /** changes the workflow: not for people who may only look */
  edits: boolean;
}

export const KEYMAP: readonly KeyBinding[] = [
  { command: "addStep", keys: ["N"], label: "add a step (after the selected one)", edits: true },
  { command: "connectTo", keys: ["C"], label: "connect the selected step to another", edits: true },
  { command: "fitView", keys: ["F", "1"], label: "fit the workflow in view", edits: false },
  { command: "find", keys: ["Mod+F"], label: "find a step", edits: false },
  { command: "undo", keys: ["Mod+Z"], label: "undo", edits: true },
  { command: "redo", keys: ["Shift+Mod+Z", "Mod+Y"], label: "redo", edits: true },
  { command: "duplicate", keys: ["Mod+D"], label: "duplicate", edits: true },
  { command: "selectAll", keys: ["Mod+A"], label: "select all", edits: false },
  { command: "delete", keys: ["Delete", "Backspace"], label: "remove", edits: true },
  { command: "save", keys: ["Mod+S"], label: "save now", edits: false },
  { command: "escape", keys: ["Escape"], label: "clear the selection", edits: false },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  shiftKey?: boolean;
  altKey?: boolean;
}

/** "Shift+Mod+Z" for a key event (Ctrl and ⌘ both count as Mod). */
export function chordOf(e: KeyLike): string {
  const parts: string[] = [];
  if (e.altKey) parts.push("Alt");
  if (e.shiftKey) parts.push("Shift");
  if (e.ctrlKey || e.metaKey) parts.push("Mod");
  const k = e.key.length === 1 ? e.key.toUpperCase() : e.key;
  parts.push(k);
  return parts.join("+");
}

const byChord = new Map<string, KeyBinding>();
for (const b of KEYMAP) for (const k of b.keys) byChord.set(k, b);

/** The command bound to a key event, or null. `canEdit: false` never returns a command that edits. */
export function commandFor(e: KeyLike, opts: { canEdit: boolean }): EditorCommand | null {
  const binding = byChord.get(chordOf(e));
  if (!binding) return null;
  if (binding.edits && !opts.canEdit) return null;
  return binding.command;
}

/** "Mod+Z" as a person on this platform reads it: "Ctrl+Z", or "⌘Z" on a Mac. */
export function keyLabel(key: string, mac = false): string {
  if (!mac) return key.replace("Mod", "Ctrl");
  return key.replace("Shift+", "⇧").replace("Mod+", "⌘").replace("Alt+", "⌥");
}

/** Whether an event target is a field the person is typing in (shortcuts stay out of the way). */
export function isTypingTarget(target: unknown): boolean {
  if (typeof HTMLElement === "undefined" || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") {
    const type = (target as HTMLInputElement).type;
    return !["checkbox", "radio", "button", "submit", "range", "color", "file"].includes(type);
  }
  return false;
}
