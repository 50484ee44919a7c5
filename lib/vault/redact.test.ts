// Redaction of secrets in the forms they leak in: raw, JSON-escaped, base64 (also inside a longer
// base64 string at any alignment), URL-encoded; in strings, keys and nested JSON.
import { describe, expect, it } from "vitest";
import { createRedactor, REDACTED, secretForms } from "./redact";

const SECRET = "sk-test/+Secret==value with spaces&more";
const TOKEN = "ghp_0123456789abcdefABCDEF";

describe("redactor", () => {
  const r = createRedactor([SECRET, TOKEN, "abc", ""]);

  it("ignores empty and very short values", () => {
    expect(r.size).toBe(2);
    expect(r.redactText("abc is fine")).toBe("abc is fine");
  });

  it("redacts the raw value anywhere in text", () => {
    expect(r.redactText(`Authorization: Bearer ${TOKEN}.`)).toBe(`Authorization: Bearer ${REDACTED}.`);
    expect(r.redactText(`${SECRET}${SECRET}`)).toBe(`${REDACTED}${REDACTED}`);
  });

  it("redacts base64 and base64url forms, padded or not", () => {
    const b64 = Buffer.from(SECRET).toString("base64");
    const b64url = Buffer.from(SECRET).toString("base64url");
    expect(r.redactText(`x ${b64} y`)).not.toContain(b64.replace(/=+$/, "").slice(0, 20));
    expect(r.redactText(`x ${b64url} y`)).toContain(REDACTED);
    expect(r.redactText(`x ${b64url} y`)).not.toContain(b64url.slice(4, 24));
  });

  it("redacts the secret inside a longer base64 string at every byte alignment (Basic auth)", () => {
    for (const user of ["", "u", "us", "use", "user:"]) {
      const basic = Buffer.from(`${user}:${TOKEN}`).toString("base64");
      const out = r.redactText(`Authorization: Basic ${basic}`);
      expect(out).toContain(REDACTED);
      // what is left of the base64 no longer decodes to anything containing the token
      expect(
        Buffer.from(out.replace("Authorization: Basic ", "").replace(REDACTED, ""), "base64").toString(),
      ).not.toContain(TOKEN.slice(4, 12));
    }
  });

  it("redacts URL-encoded forms (component, form, lower-case hex)", () => {
    const enc = encodeURIComponent(SECRET);
    expect(r.redactText(`https://x.test/?key=${enc}&a=1`)).toBe(`https://x.test/?key=${REDACTED}&a=1`);
    expect(r.redactText(`key=${enc.replace(/%20/g, "+")}`)).toBe(`key=${REDACTED}`);
    expect(r.redactText(`key=${enc.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`)).toBe(`key=${REDACTED}`);
  });

  it("redacts JSON-escaped forms inside serialised text", () => {
    const tricky = 'pa"ss\\word-123';
    const red = createRedactor([tricky]);
    expect(red.redactText(JSON.stringify({ password: tricky }))).toBe(`{"password":"${REDACTED}"}`);
  });

  it("redacts every string and key of a JSON value, keeping its shape and other types", () => {
    const value = {
      input: { headers: { authorization: `Bearer ${TOKEN}` }, n: 3, ok: true, none: null },
      events: [`token=${encodeURIComponent(SECRET)}`, { [TOKEN]: "as a key" }],
      at: new Date(0),
    };
    const out = r.redact(value);
    expect(out).toEqual({
      input: { headers: { authorization: `Bearer ${REDACTED}` }, n: 3, ok: true, none: null },
      events: [`token=${REDACTED}`, { [REDACTED]: "as a key" }],
      at: new Date(0),
    });
    expect(value.input.headers.authorization).toContain(TOKEN); // the input is not changed
    expect(JSON.stringify(out)).not.toContain(TOKEN);
    expect(r.contains(JSON.stringify(value))).toBe(true);
    expect(r.contains(JSON.stringify(out))).toBe(false);
  });

  it("copes with cycles and errors", () => {
    const a: Record<string, unknown> = { s: TOKEN };
    a.self = a;
    expect(r.redact(a)).toEqual({ s: REDACTED, self: "[circular]" });
    expect(r.redact([new Error(`failed with ${TOKEN}`)])).toEqual([
      { name: "Error", message: `failed with ${REDACTED}` },
    ]);
  });

  it("lists the forms it looks for, longest first", () => {
    const forms = secretForms(TOKEN);
    expect(forms).toContain(TOKEN);
    expect(forms).toContain(Buffer.from(TOKEN).toString("base64"));
    for (let i = 1; i < forms.length; i++) expect(forms[i - 1]!.length).toBeGreaterThanOrEqual(forms[i]!.length);
    expect(createRedactor([]).redact({ a: TOKEN })).toEqual({ a: TOKEN });
  });

  it("redacts a stream: a secret split across pieces at any point never leaks; other text is not held back", () => {
    const r = createRedactor([TOKEN]);
    const text = `before ${TOKEN} middle ${TOKEN}after`;
    for (let a = 1; a < text.length - 1; a++)
      for (const b of [a + 1, a + 3, a + 11]) {
        const parts = [text.slice(0, a), text.slice(a, b), text.slice(b)];
        let pending = "";
        const out: string[] = [];
        for (const p of parts) {
          const step = r.redactChunk(pending, p);
          pending = step.pending;
          out.push(step.text);
        }
        out.push(r.redactText(pending));
        expect(out.join("")).toBe(`before ${REDACTED} middle ${REDACTED}after`);
        for (const o of out) expect(o).not.toContain(TOKEN.slice(0, 4));
      }
    // text that cannot start a secret passes at once
    expect(r.redactChunk("", "plain words ")).toEqual({ text: "plain words ", pending: "" });
    expect(r.redactChunk("", "ends with gh")).toEqual({ text: "ends with ", pending: "gh" });
    expect(r.redactChunk("gh", "i there")).toEqual({ text: "ghi there", pending: "" });
    expect(createRedactor([]).redactChunk("a", "b")).toEqual({ text: "ab", pending: "" });
  });
});
