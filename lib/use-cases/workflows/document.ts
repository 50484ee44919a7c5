// What a workflow document must be before it is stored: drafts may be incomplete (the checklist
// shows what is missing) but must have the document's shape and size; imports, publishing and
// runs need a valid document. Exports leave secrets out but name the credentials they use;
// imports bind those names in the workspace or say which are missing.
import { z } from "zod";
import { AppError, type Issue } from "@/lib/contracts/app-errors";
import { maskSecretLiterals } from "@/lib/workflow/secret-literals";
import { validateWorkflow } from "@/lib/workflow/validate";

/** Draft documents may be incomplete (that is what the checklist is for) but must be this shape. */
const draftShape = z
  .object({
    format: z.string(),
    name: z.string().max(200),
    nodes: z
      .array(z.object({ id: z.string().min(1).max(64), type: z.string().min(1), config: z.unknown() }).passthrough())
      .max(2000),
    edges: z.array(z.object({ source: z.string(), target: z.string() }).passthrough()).max(10_000),
  })
  .passthrough();

const MAX_DOCUMENT_BYTES = 2_000_000;

/** The draft's validation problems (what the checklist shows). */
export function documentProblems(document: unknown): Issue[] {
  const result = validateWorkflow(document);
  return result.valid ? [] : result.issues.map((p) => ({ path: p.path, message: p.message }));
}

export function parseDraft(document: unknown): Record<string, unknown> {
  const size = JSON.stringify(document ?? null).length;
  if (size > MAX_DOCUMENT_BYTES) {
    throw new AppError("invalid:document", {
      message: `The document is too large (${size} bytes; at most ${MAX_DOCUMENT_BYTES}).`,
    });
  }
  const parsed = draftShape.safeParse(document);
  if (!parsed.success) {
    const fieldErrors = parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
    throw new AppError("invalid:document", {
      message: `${fieldErrors[0].path || "document"}: ${fieldErrors[0].message}`,
      fieldErrors,
    });
  }
  return parsed.data as Record<string, unknown>;
}

/** The columns a document sets on its workflow row. */
export function documentColumns(document: Record<string, unknown>): { name: string; description: string } {
  return {
    name: String(document.name || "Untitled workflow").slice(0, 200),
    description: String(document.description ?? "").slice(0, 10_000),
  };
}

/** Refused (invalid:workflow, every problem named) while the document has problems. */
export function requireValid(document: unknown, before: string): void {
  const problems = documentProblems(document);
  if (problems.length > 0) {
    throw new AppError("invalid:workflow", {
      message: `Fix ${problems.length} problem${problems.length === 1 ? "" : "s"} ${before}.`,
      fieldErrors: problems,
    });
  }
}

const SECRET_KEY =
  /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api[-_]?key|apikey|password|passwd|secret|client[-_]?secret|access[-_]?token|refresh[-_]?token|bearer|private[-_]?key)$/i;

/**
 * A copy of a document without secrets: credential references are removed (the importing
 * installation picks its own), header and field values whose key names a secret are blanked
 * unless they are templates (which reference data, not secrets).
 */
export function stripSecrets<T>(document: T): T {
  return blankSecrets(document, false);
}

function blankSecrets<T>(document: T, keepCredentialNames: boolean): T {
  const walk = (value: unknown, key: string | null): unknown => {
    if (Array.isArray(value)) return value.map((v) => walk(v, null));
    if (value && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === "credential" || k === "credentials") {
          if (keepCredentialNames) out[k] = v;
          continue;
        }
        out[k] = walk(v, k);
      }
      return out;
    }
    if (typeof value === "string" && key && SECRET_KEY.test(key) && !/^\s*\{\{[\s\S]*\}\}\s*$/.test(value)) return "";
    return value;
  };
  return walk(document, null) as T;
}

/**
 * A document as it is exported: credential references are kept BY NAME (never a value; the
 * importing workspace binds them), values under secret-named keys are blanked, secrets typed
 * into headers or URLs are masked, and `redact` (the workspace's secret values) applies last.
 */
export function exportableDocument<T>(document: T, redact?: <V>(value: V) => V): T {
  const out = maskSecretLiterals(blankSecrets(document, true));
  return redact ? redact(out) : out;
}

/** The credential names a document's nodes use (`credential` in a node's config), with where. */
export function credentialReferences(document: unknown): Map<string, { nodeId: string; path: string }[]> {
  const refs = new Map<string, { nodeId: string; path: string }[]>();
  const nodes = (document as { nodes?: unknown })?.nodes;
  if (!Array.isArray(nodes)) return refs;
  nodes.forEach((node, i) => {
    const nodeId = String((node as { id?: unknown })?.id ?? i);
    const visit = (value: unknown, path: string) => {
      if (Array.isArray(value)) {
        for (const [j, v] of value.entries()) visit(v, `${path}.${j}`);
      } else if (value && typeof value === "object")
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (k === "credential" && typeof v === "string" && v) {
            const list = refs.get(v) ?? [];
            list.push({ nodeId, path: `${path}.${k}` });
            refs.set(v, list);
          } else visit(v, `${path}.${k}`);
        }
    };
    visit((node as { config?: unknown })?.config, `nodes.${i}.config`);
  });
  return refs;
}

/** Refused (invalid:document) when the document names credentials the workspace does not have. */
export function requireCredentials(document: unknown, existing: Iterable<string>): void {
  const have = new Set(existing);
  const missing = [...credentialReferences(document)].filter(([name]) => !have.has(name));
  if (missing.length === 0) return;
  const list = missing
    .map(([name, uses]) => {
      const nodes = [...new Set(uses.map((u) => u.nodeId))];
      return `“${name}” (used by ${nodes.length === 1 ? "node" : "nodes"} ${nodes.join(", ")})`;
    })
    .join(", ");
  throw new AppError("invalid:document", {
    message: `This workflow uses credentials this workspace does not have: ${list}. Create them in Settings → Credentials (same names), then import again; nothing was imported.`,
    fieldErrors: missing.flatMap(([name, uses]) =>
      uses.map((u) => ({ path: u.path, message: `the credential "${name}" does not exist in this workspace` })),
    ),
  });
}
