/**
 * Redaction of secret values from anything that is stored or shown: step inputs/outputs, events,
 * traces, logs, exports. Given the secret values, every occurrence of each one is replaced with
 * "[redacted]" in any JSON value (strings and object keys, at any depth) or text, in the forms a
 * secret usually leaks in:
 *
 * - raw, and JSON-escaped (a secret with `"` or `\` inside a serialised string);
 * - base64 and base64url, with or without padding — also inside a longer base64 string at any byte
 *   offset (`Basic base64(user:secret)`): for each of the three alignments, the run of characters
 *   that depends on the secret's bytes alone is matched;
 * - URL-encoded (`encodeURIComponent`, form encoding with `+` for spaces, lower-case hex).
 *
 * Secrets shorter than MIN_REDACT_LENGTH are not redacted (they would blank out ordinary text);
 * base64 runs inside longer strings need at least MIN_EMBEDDED_LENGTH characters.
 */

export const REDACTED = "[redacted]";
export const MIN_REDACT_LENGTH = 4;
const MIN_EMBEDDED_LENGTH = 8;

const toUrlSafe = (b64: string) => b64.replace(/\+/g, "-").replace(/\//g, "_");

/** The base64 characters that depend only on `bytes` when they start `offset` bytes into a stream. */
function alignedRun(bytes: Buffer, offset: number): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes])
    .toString("base64")
    .replace(/=+$/, "");
  const first = Math.ceil((offset * 8) / 6);
  const end = Math.floor(((offset + bytes.length) * 8) / 6);
  return encoded.slice(first, end);
}

/** Every form of `secret` the redactor looks for (longest first). */
export function secretForms(secret: string): string[] {
  if (secret.length < MIN_REDACT_LENGTH) return [];
  const forms = new Set<string>([secret]);
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  forms.add(jsonEscaped);
  const bytes = Buffer.from(secret, "utf8");
  const full = bytes.toString("base64");
  for (const b of [full, full.replace(/=+$/, "")]) {
    forms.add(b);
    forms.add(toUrlSafe(b));
  }
  for (let offset = 0; offset < 3; offset++) {
    const run = alignedRun(bytes, offset);
    if (run.length >= MIN_EMBEDDED_LENGTH) {
      forms.add(run);
      forms.add(toUrlSafe(run));
    }
  }
  const uri = encodeURIComponent(secret);
  forms.add(uri);
  forms.add(uri.replace(/%20/g, "+"));
  forms.add(uri.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()));
  return [...forms].filter((f) => f.length >= MIN_REDACT_LENGTH).sort((a, b) => b.length - a.length);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export interface Redactor {
  /** How many secrets it redacts. */
  readonly size: number;
  /** `text` with every form of every secret replaced. */
  redactText(text: string): string;
  /** A copy of a JSON value with every string (and key) redacted; other values kept. */
  redact<T>(value: T): T;
  /** True when `text` contains a form of a secret. */
  contains(text: string): boolean;
  /**
   * One piece of a stream (a step's streamed tokens): `pending` (what the previous piece held
   * back) + `text`, redacted, minus a tail that could be the start of a secret, which is held back
   * as the next `pending`. A secret split across pieces is redacted whole; text is only held back
   * while it looks like the beginning of one.
   */
  redactChunk(pending: string, text: string): { text: string; pending: string };
}

export function createRedactor(secrets: Iterable<string>): Redactor {
  const values = [...new Set([...secrets].filter((s) => typeof s === "string" && s.length >= MIN_REDACT_LENGTH))];
  const forms = [...new Set(values.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const pattern = forms.length > 0 ? new RegExp(forms.map(escapeRegExp).join("|"), "g") : null;

  const redactText = (text: string): string => (pattern ? text.replace(pattern, REDACTED) : text);

  function walk(value: unknown, seen: WeakSet<object>, depth: number): unknown {
    if (typeof value === "string") return redactText(value);
    if (!value || typeof value !== "object") return value;
    if (depth > 200 || seen.has(value)) return "[circular]";
    if (Array.isArray(value)) {
      seen.add(value);
      const out = value.map((v) => walk(v, seen, depth + 1));
      seen.delete(value);
      return out;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      if (value instanceof Error) return walk({ name: value.name, message: value.message }, seen, depth + 1);
      return value; // Date, Buffer…: not JSON text
    }
    seen.add(value);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactText(k)] = walk(v, seen, depth + 1);
    seen.delete(value);
    return out;
  }

  // The forms by their first character, for the held-back tail search.
  const byFirst = new Map<string, string[]>();
  for (const f of forms) {
    const list = byFirst.get(f[0]!);
    if (list) list.push(f);
    else byFirst.set(f[0]!, [f]);
  }
  const longest = forms[0]?.length ?? 0;

  function redactChunk(pending: string, text: string): { text: string; pending: string } {
    const buf = pending + text;
    if (!pattern) return { text: buf, pending: "" };
    // where the last complete occurrence ends: the held-back tail starts after it
    let lastEnd = 0;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(buf); m; m = pattern.exec(buf)) lastEnd = m.index + m[0].length;
    // the longest tail that is the beginning (not the whole) of a form
    let hold = 0;
    const from = Math.max(lastEnd, buf.length - longest + 1);
    for (let i = from; i < buf.length && hold === 0; i++) {
      const candidates = byFirst.get(buf[i]!);
      if (!candidates) continue;
      const tail = buf.slice(i);
      for (const f of candidates)
        if (f.length > tail.length && f.startsWith(tail)) {
          hold = tail.length;
          break;
        }
    }
    const cut = buf.length - hold;
    return { text: redactText(buf.slice(0, cut)), pending: buf.slice(cut) };
  }

  return {
    size: values.length,
    redactText,
    redactChunk,
    redact: <T>(value: T): T => (pattern ? (walk(value, new WeakSet(), 0) as T) : value),
    contains: (text) => {
      if (!pattern) return false;
      pattern.lastIndex = 0;
      return pattern.test(text);
    },
  };
}
