/**
 * Secrets typed into node configs instead of a credential: an `Authorization` (or token-, key-,
 * secret- or password-like) header with a literal value, or a key-like URL query parameter
 * (`?api_key=…`, `&token=…`) with a literal value. Templates (`{{ vars.token }}`) are data, not
 * literals, and an auth scheme word alone (`Bearer {{ … }}`) is fine.
 *
 * The canvas checklist warns "move this into a credential" for each one; pages shown to people
 * who cannot edit the workflow, and exports, mask them (`maskSecretLiterals`).
 */

export interface SecretLiteral {
  nodeId: string;
  /** document path, e.g. `nodes.2.config.headers.Authorization` */
  path: string;
  message: string;
}

export const MASK = "••••••";

const SECRET_HEADER =
  /^(authorization|proxy-authorization|cookie)$|(^|[-_])(api[-_]?key|apikey|access[-_]?key|secret|token|password|passwd|auth)([-_]|$)/i;
const SECRET_PARAM =
  /^(api[-_]?key|apikey|key|token|access[-_]?token|auth|auth[-_]?token|secret|client[-_]?secret|password|passwd|sig|signature|x-amz-signature)$/i;
const TEMPLATE = /\{\{[\s\S]*?\}\}/g;
const SCHEME = /\b(bearer|basic|token|bot|apikey|digest)\b/gi;
const QUERY_PAIR = /([?&])([^=&#\s]+)=([^&#\s]*)/g;

/** True when a header value holds a literal (not only templates and a scheme word). */
export function isLiteralSecretValue(value: unknown): boolean {
  if (typeof value !== "string" || value.includes(MASK)) return false;
  const literal = value.replace(TEMPLATE, "").replace(SCHEME, "").replace(/\s+/g, "");
  return literal.length >= 6;
}

export function isSecretHeaderName(name: string): boolean {
  return SECRET_HEADER.test(name) && !/^idempotency-key$/i.test(name);
}

/** A key-like query parameter (an http step's `query` row) with a literal value. */
function isLiteralSecretParam(name: string, value: string): boolean {
  return SECRET_PARAM.test(name) && value.length >= 4 && !value.includes("{{") && !value.includes(MASK);
}

/** Key-like query parameters of a URL (or URL template) that carry a literal value. */
function literalQueryParams(url: string): string[] {
  const out: string[] = [];
  for (const m of url.matchAll(QUERY_PAIR)) {
    const [, , key, value] = m as unknown as [string, string, string, string];
    let name = key;
    try {
      name = decodeURIComponent(key);
    } catch {}
    if (SECRET_PARAM.test(name) && value.length >= 4 && !value.includes("{{") && !value.includes(MASK)) out.push(name);
  }
  return out;
}

type Visit = (value: unknown, path: string[], parentKey: string | null, grandKey: string | null) => unknown;

function walk(
  value: unknown,
  path: string[],
  visit: Visit,
  parentKey: string | null = null,
  grandKey: string | null = null,
): unknown {
  if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)], visit, null, parentKey));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>))
      out[k] = walk(v, [...path, k], visit, k, parentKey);
    return out;
  }
  return visit(value, path, parentKey, grandKey);
}

function nodesOf(document: unknown): { id: string; config: unknown }[] {
  const nodes = (document as { nodes?: unknown })?.nodes;
  return Array.isArray(nodes)
    ? nodes.map((n) => ({ id: String((n as { id?: unknown })?.id ?? ""), config: (n as { config?: unknown })?.config }))
    : [];
}

/** Every literal secret in the document's node configs. */
export function findSecretLiterals(document: unknown): SecretLiteral[] {
  const out: SecretLiteral[] = [];
  nodesOf(document).forEach((node, i) => {
    walk(node.config, ["nodes", String(i), "config"], (value, path, key, grand) => {
      if (typeof value !== "string" || key === null) return value;
      if (grand === "headers" && isSecretHeaderName(key) && isLiteralSecretValue(value))
        out.push({
          nodeId: node.id,
          path: path.join("."),
          message: `The header "${key}" holds a literal secret: move this into a credential.`,
        });
      else if (grand === "query" && isLiteralSecretParam(key, value))
        out.push({
          nodeId: node.id,
          path: path.join("."),
          message: `The query parameter "${key}" holds a literal secret: move this into a credential.`,
        });
      else if (/^https?:\/\//i.test(value.trim()))
        for (const param of literalQueryParams(value))
          out.push({
            nodeId: node.id,
            path: path.join("."),
            message: `The URL's "${param}" parameter holds a literal secret: move this into a credential.`,
          });
      return value;
    });
  });
  return out;
}

/** A copy of the document with every literal secret replaced by a mask (for viewers and exports). */
export function maskSecretLiterals<T>(document: T): T {
  const nodes = (document as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return document;
  return {
    ...document,
    nodes: nodes.map((n) => {
      if (!n || typeof n !== "object" || !("config" in n)) return n;
      const config = walk((n as { config: unknown }).config, [], (value, _path, key, grand) => {
        if (typeof value !== "string" || key === null) return value;
        if (grand === "headers" && isSecretHeaderName(key) && isLiteralSecretValue(value)) return MASK;
        if (grand === "query" && isLiteralSecretParam(key, value)) return MASK;
        if (/^https?:\/\//i.test(value.trim()) && literalQueryParams(value).length > 0)
          return value.replace(QUERY_PAIR, (all, sep: string, k: string, v: string) => {
            let name = k;
            try {
              name = decodeURIComponent(k);
            } catch {}
            return SECRET_PARAM.test(name) && v.length >= 4 && !v.includes("{{") ? `${sep}${k}=${MASK}` : all;
          });
        return value;
      });
      return { ...(n as object), config };
    }),
  } as T;
}

/**
 * The literal secret values themselves (what `findSecretLiterals` points at): a secret header's
 * value without its templates and scheme word (`Bearer sk-…` → `sk-…`), a key-like URL
 * parameter's value (raw and decoded). The engine redacts them from what a run stores.
 */
export function secretLiteralValues(document: unknown): string[] {
  const out = new Set<string>();
  for (const node of nodesOf(document))
    walk(node.config, [], (value, _path, key, grand) => {
      if (typeof value !== "string" || key === null) return value;
      if (grand === "headers" && isSecretHeaderName(key) && isLiteralSecretValue(value)) {
        for (const piece of value.split(TEMPLATE)) {
          const literal = piece.replace(SCHEME, " ").trim();
          if (literal.length >= 6) out.add(literal);
          for (const word of literal.split(/\s+/)) if (word.length >= 6) out.add(word);
        }
      } else if (grand === "query" && isLiteralSecretParam(key, value)) out.add(value);
      else if (/^https?:\/\//i.test(value.trim()))
        for (const m of value.matchAll(QUERY_PAIR)) {
          const [, , k, v] = m as unknown as [string, string, string, string];
          let name = k;
          let decoded = v;
          try {
            name = decodeURIComponent(k);
            decoded = decodeURIComponent(v.replace(/\+/g, " "));
          } catch {}
          if (SECRET_PARAM.test(name) && v.length >= 4 && !v.includes("{{") && !v.includes(MASK)) {
            out.add(v);
            out.add(decoded);
          }
        }
      return value;
    });
  return [...out];
}
