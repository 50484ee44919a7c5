/**
 * Text people type: names, titles, descriptions, comments, notes, and every string inside the
 * JSON they send (workflow documents, run inputs, edited approval data). Two things are refused
 * with a field error, on every database alike:
 * - NUL (U+0000): PostgreSQL refuses it in `text` and `jsonb` (the save failed as an internal
 *   error there, while SQLite stored it);
 * - a lone UTF-16 surrogate (half of an emoji, cut text): not a Unicode character, refused by
 *   PostgreSQL's `jsonb` and turned into U+FFFD by UTF-8 encoders elsewhere.
 * Browser-safe: imports only zod.
 */
import { z } from "zod";
import type { Issue } from "./errors";

export const UNSAFE_TEXT_MESSAGE =
  "This text contains a character that cannot be stored: a NUL character or half of a surrogate pair.";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the string has no NUL and no unpaired surrogate. */
export function isSafeText(text: string): boolean {
  if (text.includes("\u0000")) return false;
  const wellFormed = (text as unknown as { isWellFormed?: () => boolean }).isWellFormed;
  return wellFormed ? wellFormed.call(text) : !LONE_SURROGATE.test(text);
}

/**
 * A zod string that refuses NUL and unpaired surrogates; chain limits as usual:
 * `userText().trim().min(1).max(200)`.
 */
export function userText() {
  return z.string().refine(isSafeText, { message: UNSAFE_TEXT_MESSAGE });
}

function joinPath(base: string, key: string | number): string {
  if (typeof key === "number") return `${base}[${key}]`;
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

/**
 * Every string (values and object keys) inside a JSON value that `isSafeText` refuses, with its
 * path under `rootPath`; at most `max` issues. Iterative, so deep values cannot overflow the stack.
 */
export function unsafeTextIssues(value: unknown, rootPath = "", max = 20): Issue[] {
  const out: Issue[] = [];
  const stack: [unknown, string][] = [[value, rootPath]];
  let visited = 0;
  while (stack.length > 0 && out.length < max && visited++ < 1_000_000) {
    const [v, path] = stack.pop() as [unknown, string];
    if (typeof v === "string") {
      if (!isSafeText(v)) out.push({ path, message: UNSAFE_TEXT_MESSAGE });
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], joinPath(path, i)]);
    } else if (v && typeof v === "object") {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i] as string;
        if (!isSafeText(key)) out.push({ path: joinPath(path, key), message: UNSAFE_TEXT_MESSAGE });
        stack.push([(v as Record<string, unknown>)[key], joinPath(path, key)]);
      }
    }
  }
  return out.slice(0, max);
}
