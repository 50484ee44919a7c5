/**
 * Workflow validation: the zod schema plus graph checks, returning EVERY problem at once. Each
 * problem has a path (`nodes[3].config.cases[0].when`) and a sentence a non-programmer
 * understands. Browser-safe (zod, jsonata, ajv).
 *
 * It checks against the node definitions it is given (the engine passes its registry), so it
 * imports no node type; `validateWorkflow()` in ./validate.ts binds the built-in ones.
 */
import type { z } from "zod";
import type { Issue } from "@/lib/contracts/errors";
import { compileJsonSchema, isCompileError } from "@/lib/contracts/json-schema-check";
import { migrateWorkflowDocument } from "@/lib/contracts/node-migrations";
import type { NodeDefinitions } from "@/lib/contracts/node-registry";
import { unsafeTextIssues } from "@/lib/contracts/text";
import { WORKFLOW_FORMAT, type WorkflowDocument, workflowDocumentSchema } from "@/lib/contracts/workflow-document";
import {
  jsonSizeAtMost,
  parseProblem,
  templateContextPaths,
  templateNodeRefs,
  templateProblems,
} from "@/lib/expressions";
import { analyzeGraph, ancestorsOf, findCycles } from "./graph";

export interface WorkflowIssue extends Issue {
  /** The node the problem is about, when there is one (the canvas highlights it). */
  nodeId?: string;
}

export type ValidationResult =
  | { valid: true; document: WorkflowDocument; issues: [] }
  | { valid: false; issues: WorkflowIssue[]; document?: undefined };

/** Largest node config accepted (serialised). */
export const MAX_CONFIG_BYTES = 1_000_000;
/** Largest whole document accepted (serialised). */
export const MAX_DOCUMENT_BYTES = 5_000_000;
const MAX_NESTING = 64;

export function formatPath(path: readonly PropertyKey[], root = ""): string {
  let out = root;
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else {
      const s = String(seg);
      if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(s)) out += out ? `.${s}` : s;
      else out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

function describeExpected(expected: string): string {
  const map: Record<string, string> = {
    string: "text",
    number: "a number",
    int: "a whole number",
    boolean: "true or false",
    object: "an object",
    array: "a list",
    record: "an object",
    literal: "a specific value",
  };
  return map[expected] ?? expected;
}

/** Turn zod issues into readable issues with paths under `root`. */
export function zodIssues(error: z.ZodError, root: string): Issue[] {
  const out: Issue[] = [];
  for (const issue of error.issues) {
    const path = formatPath(issue.path, root);
    const i = issue as z.core.$ZodIssue & Record<string, unknown>;
    switch (i.code) {
      case "invalid_type": {
        const missing = /received undefined/.test(i.message);
        out.push({
          path,
          message: missing ? "This field is required." : `This must be ${describeExpected(String(i.expected))}.`,
        });
        break;
      }
      case "unrecognized_keys":
        for (const key of i.keys as string[])
          out.push({
            path: formatPath([...issue.path, key], root),
            message: `"${key}" is not a known field here. Check the spelling.`,
          });
        break;
      case "too_small": {
        const min = Number(i.minimum);
        const origin = String(i.origin);
        if (origin === "string")
          out.push({
            path,
            message: min <= 1 ? "This must not be empty." : `This must be at least ${min} characters long.`,
          });
        else if (origin === "array")
          out.push({ path, message: `This needs at least ${min} item${min === 1 ? "" : "s"}.` });
        else out.push({ path, message: `This must be at least ${min}.` });
        break;
      }
      case "too_big": {
        const max = Number(i.maximum);
        const origin = String(i.origin);
        if (origin === "string") out.push({ path, message: `This must be at most ${max} characters long.` });
        else if (origin === "array")
          out.push({ path, message: `This may have at most ${max} item${max === 1 ? "" : "s"}.` });
        else out.push({ path, message: `This must be at most ${max}.` });
        break;
      }
      case "invalid_value":
        out.push({
          path,
          message: `This must be one of: ${(i.values as unknown[]).map((v) => JSON.stringify(v)).join(", ")}.`,
        });
        break;
      case "invalid_format":
        out.push({
          path,
          message:
            i.format === "regex" && !/^Invalid/.test(i.message)
              ? `This ${i.message}.`
              : `This is not a valid ${String(i.format)}.`,
        });
        break;
      case "invalid_union":
        out.push({ path, message: "This does not match any of the allowed forms." });
        break;
      case "custom":
        out.push({ path, message: i.message });
        break;
      default:
        out.push({ path, message: i.message });
    }
  }
  return out;
}

function depthExceeds(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (d > max) return true;
    if (v && typeof v === "object") for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

interface RawNode {
  index: number;
  id: string;
  type: string;
  config: unknown;
  parsedConfig?: unknown;
}

/**
 * Validate a workflow document against the given node types. Never throws on bad input: a
 * malformed document gives issues.
 */
export function validateDocument(doc: unknown, nodes: NodeDefinitions): ValidationResult {
  const issues: WorkflowIssue[] = [];

  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    return { valid: false, issues: [{ path: "", message: "The workflow must be a JSON object." }] };
  }
  if (depthExceeds(doc, MAX_NESTING + 8)) {
    return {
      valid: false,
      issues: [{ path: "", message: `The workflow is nested more than ${MAX_NESTING} levels deep.` }],
    };
  }
  if (jsonSizeAtMost(doc, MAX_DOCUMENT_BYTES) > MAX_DOCUMENT_BYTES) {
    return {
      valid: false,
      issues: [{ path: "", message: `The workflow is larger than ${MAX_DOCUMENT_BYTES / 1_000_000} MB.` }],
    };
  }
  // Nodes saved at an older config version are brought to their type's current one first (the
  // type's named migrations, lib/contracts/node-migrations.ts), so every check below and the
  // document returned see current configs. A node that cannot be migrated is reported at its
  // `version` or `config`.
  const migration = migrateWorkflowDocument(doc, (type) => nodes.definition(type));
  issues.push(...migration.issues);
  const raw = migration.document as Record<string, unknown>;
  if (raw.format !== undefined && raw.format !== WORKFLOW_FORMAT) {
    issues.push({
      path: "format",
      message: `This file is not a Switchboard workflow in format "${WORKFLOW_FORMAT}" (it says ${JSON.stringify(raw.format)}).`,
    });
  }

  const parsed = workflowDocumentSchema.safeParse(raw);
  if (!parsed.success) {
    for (const i of zodIssues(parsed.error, "")) {
      if (i.path === "format" && raw.format !== undefined) continue; // reported above
      issues.push(i);
    }
  }

  // Graph checks work on whatever nodes/edges are usable, so one broken node hides nothing.
  const rawNodes: RawNode[] = [];
  if (Array.isArray(raw.nodes)) {
    raw.nodes.forEach((n, index) => {
      if (
        n &&
        typeof n === "object" &&
        typeof (n as RawNode).id === "string" &&
        typeof (n as RawNode).type === "string"
      )
        rawNodes.push({ index, id: (n as RawNode).id, type: (n as RawNode).type, config: (n as RawNode).config ?? {} });
    });
  }
  const rawEdges: { index: number; source: string; target: string; sourceHandle?: string; id?: string }[] = [];
  if (Array.isArray(raw.edges)) {
    raw.edges.forEach((e, index) => {
      if (e && typeof e === "object") {
        const edge = e as Record<string, unknown>;
        if (typeof edge.source === "string" && typeof edge.target === "string")
          rawEdges.push({
            index,
            source: edge.source,
            target: edge.target,
            sourceHandle: typeof edge.sourceHandle === "string" ? edge.sourceHandle : undefined,
            id: typeof edge.id === "string" ? edge.id : undefined,
          });
      }
    });
  }

  // Text no database can store alike (NUL, unpaired surrogates) anywhere in the document, keys included.
  for (const issue of unsafeTextIssues(raw, "")) {
    const index = /^nodes\[(\d+)\]/.exec(issue.path)?.[1];
    const nodeId = rawNodes.find((n) => String(n.index) === index)?.id;
    const same = issues.find((i) => i.path === issue.path && i.message === issue.message);
    if (same) {
      if (nodeId) same.nodeId ??= nodeId;
    } else issues.push(nodeId ? { ...issue, nodeId } : issue);
  }

  // --- node ids, types, configs
  const byId = new Map<string, RawNode>();
  for (const n of rawNodes) {
    const at = `nodes[${n.index}]`;
    if (byId.has(n.id)) {
      issues.push({
        path: `${at}.id`,
        nodeId: n.id,
        message: `Two nodes have the id "${n.id}"; each node needs its own id.`,
      });
      continue;
    }
    byId.set(n.id, n);
    const def = nodes.definition(n.type);
    if (!def) {
      issues.push({
        path: `${at}.type`,
        nodeId: n.id,
        message: `"${n.type}" is not a known node type. Known types: ${nodes.definitions.map((d) => d.type).join(", ")}.`,
      });
      continue;
    }
    if (migration.failed.has(n.index)) continue; // its config is in a shape this installation cannot check
    if (jsonSizeAtMost(n.config, MAX_CONFIG_BYTES) > MAX_CONFIG_BYTES) {
      issues.push({
        path: `${at}.config`,
        nodeId: n.id,
        message: `This node's settings are larger than ${MAX_CONFIG_BYTES / 1_000_000} MB.`,
      });
      continue;
    }
    if (depthExceeds(n.config, MAX_NESTING)) {
      issues.push({
        path: `${at}.config`,
        nodeId: n.id,
        message: `This node's settings are nested more than ${MAX_NESTING} levels deep.`,
      });
      continue;
    }
    const cfg = def.configSchema.safeParse(n.config);
    if (!cfg.success) {
      for (const i of zodIssues(cfg.error, `${at}.config`)) issues.push({ ...i, nodeId: n.id });
      continue;
    }
    n.parsedConfig = cfg.data;
    // Expressions and templates must parse.
    for (const ex of def.expressions(cfg.data)) {
      const path = `${at}.config.${ex.path}`;
      if (ex.kind === "expression") {
        const problem = typeof ex.value === "string" ? parseProblem(ex.value) : { message: "it must be text" };
        if (problem)
          issues.push({ path, nodeId: n.id, message: `This expression does not parse: ${problem.message}.` });
      } else {
        for (const p of templateProblems(ex.value, path)) issues.push({ ...p, nodeId: n.id });
      }
    }
    // JSON Schemas inside configs must compile.
    for (const { path: key, schema } of def.jsonSchemas?.(cfg.data) ?? []) {
      const compiled = compileJsonSchema(schema);
      if (isCompileError(compiled))
        issues.push({
          path: `${at}.config.${key}`,
          nodeId: n.id,
          message: `This is not a valid JSON Schema: ${compiled.error}.`,
        });
    }
  }

  // --- the input schema
  if (raw.input !== undefined && raw.input !== null && typeof raw.input === "object") {
    const compiled = compileJsonSchema(raw.input);
    if (isCompileError(compiled))
      issues.push({ path: "input", message: `The input schema is not a valid JSON Schema: ${compiled.error}.` });
  }

  // --- trigger
  const triggers = rawNodes.filter((n) => nodes.definition(n.type)?.entry && byId.get(n.id) === n);
  if (triggers.length === 0 && Array.isArray(raw.nodes)) {
    issues.push({ path: "nodes", message: "The workflow needs a trigger node, where every run starts." });
  }
  for (const extra of triggers.slice(1)) {
    issues.push({
      path: `nodes[${extra.index}].type`,
      nodeId: extra.id,
      message: `A workflow has exactly one trigger; "${extra.id}" is an extra one.`,
    });
  }
  const entry = triggers[0]?.id ?? null;

  // --- edges
  const edgeIds = new Set<string>();
  const edgeKeys = new Set<string>();
  const usableEdges: { source: string; target: string; sourceHandle?: string }[] = [];
  for (const e of rawEdges) {
    const at = `edges[${e.index}]`;
    if (e.id !== undefined) {
      if (edgeIds.has(e.id)) issues.push({ path: `${at}.id`, message: `Two edges have the id "${e.id}".` });
      edgeIds.add(e.id);
    }
    const src = byId.get(e.source);
    const tgt = byId.get(e.target);
    let ok = true;
    if (!src) {
      issues.push({
        path: `${at}.source`,
        message: `This edge starts at "${e.source}", but there is no node with that id.`,
      });
      ok = false;
    }
    if (!tgt) {
      issues.push({
        path: `${at}.target`,
        message: `This edge ends at "${e.target}", but there is no node with that id.`,
      });
      ok = false;
    }
    if (!ok || !src || !tgt) continue;
    const srcDef = nodes.definition(src.type);
    const tgtDef = nodes.definition(tgt.type);
    if (tgtDef?.entry) {
      issues.push({
        path: `${at}.target`,
        message: `Edges cannot lead into the trigger "${tgt.id}"; runs start there.`,
      });
      continue;
    }
    if (tgtDef?.inert || srcDef?.inert) {
      issues.push({ path: at, message: "Notes cannot be connected to other nodes." });
      continue;
    }
    if (srcDef && src.parsedConfig !== undefined) {
      const outcomes = srcDef.outcomes(src.parsedConfig);
      if (outcomes.length === 0) {
        issues.push({
          path: `${at}.source`,
          message: `"${src.id}" is ${srcDef.label === "End" ? "an end node" : `a ${srcDef.label} node`} and cannot have outgoing edges.`,
        });
        continue;
      }
      if (e.sourceHandle !== undefined && !outcomes.includes(e.sourceHandle)) {
        issues.push({
          path: `${at}.sourceHandle`,
          message: `"${src.id}" has no outcome "${e.sourceHandle}". Its outcomes are: ${outcomes.join(", ")}.`,
        });
        continue;
      }
    }
    const key = `${e.source}\u0000${e.target}\u0000${e.sourceHandle ?? ""}`;
    if (edgeKeys.has(key)) {
      issues.push({ path: at, message: `This edge repeats another edge from "${e.source}" to "${e.target}".` });
      continue;
    }
    edgeKeys.add(key);
    usableEdges.push(e);
  }

  const uniqueNodes = [...byId.values()];
  const analysis = analyzeGraph(uniqueNodes, usableEdges, entry);

  // --- unreachable nodes
  if (entry) {
    for (const n of uniqueNodes) {
      if (nodes.definition(n.type)?.inert) continue;
      if (!analysis.reachable.has(n.id))
        issues.push({
          path: `nodes[${n.index}]`,
          nodeId: n.id,
          message: `"${n.id}" cannot be reached from the trigger, so it would never run. Connect it or remove it.`,
        });
    }
  }

  // --- cycles nobody can leave
  for (const cycle of findCycles(uniqueNodes, usableEdges)) {
    const escapable = cycle.some((id) => {
      const n = byId.get(id)!;
      const def = nodes.definition(n.type);
      return def && n.parsedConfig !== undefined && def.canBranch(n.parsedConfig);
    });
    if (!escapable) {
      const first = byId.get(cycle[0]!)!;
      issues.push({
        path: `nodes[${first.index}]`,
        nodeId: first.id,
        message: `The nodes ${cycle.map((id) => `"${id}"`).join(", ")} form a loop with no condition, approval, guardrail or choosing agent to leave it, so it would repeat until the loop limit.`,
      });
    }
  }

  // --- templates and expressions must refer to nodes that run before them
  for (const n of uniqueNodes) {
    const def = nodes.definition(n.type);
    if (!def || n.parsedConfig === undefined) continue;
    let ancestors: Set<string> | null = null;
    for (const ex of def.expressions(n.parsedConfig)) {
      const path = `nodes[${n.index}].config.${ex.path}`;
      const refs =
        ex.kind === "expression"
          ? typeof ex.value === "string"
            ? templateNodeRefs(`{{ ${ex.value} }}`, path)
            : []
          : templateNodeRefs(ex.value, path);
      for (const ref of refs) {
        if (!byId.has(ref.nodeId)) {
          issues.push({
            path: ref.path,
            nodeId: n.id,
            message: `This refers to node "${ref.nodeId}", which does not exist.`,
          });
          continue;
        }
        ancestors ??= ancestorsOf(n.id, analysis.incoming, usableEdges);
        if (!ancestors.has(ref.nodeId))
          issues.push({
            path: ref.path,
            nodeId: n.id,
            message: `This refers to node "${ref.nodeId}", which does not run before "${n.id}", so its output would be empty.`,
          });
      }
    }
  }

  // --- templates must name input fields the workflow declares, and output fields a node declares
  issues.push(...fieldReferenceIssues(raw.input, uniqueNodes, byId, nodes));

  if (issues.length > 0 || !parsed.success) {
    return { valid: false, issues: dedupe(issues) };
  }
  return { valid: true, document: parsed.data, issues: [] };
}

/** The top-level property names a JSON Schema declares, or null when it declares none (anything goes). */
function declaredFields(schema: unknown): Set<string> | null {
  const props = (schema as { properties?: unknown } | null | undefined)?.properties;
  if (!props || typeof props !== "object" || Array.isArray(props)) return null;
  return new Set(Object.keys(props));
}

type FieldRefNode = { id: string; type: string; index: number; parsedConfig?: unknown };

/**
 * `input.<field>` where the workflow's input schema lists its fields and not this one, and
 * `nodes.<id>.output.<field>` where that node declares an `outputSchema` with fields and not this
 * one: the value would always be empty, so the checklist names it.
 */
function fieldReferenceIssues(
  inputSchema: unknown,
  list: readonly FieldRefNode[],
  byId: ReadonlyMap<string, FieldRefNode>,
  nodes: NodeDefinitions,
): WorkflowIssue[] {
  const out: WorkflowIssue[] = [];
  const inputFields = declaredFields(inputSchema);
  for (const n of list) {
    const def = nodes.definition(n.type);
    if (!def || n.parsedConfig === undefined) continue;
    for (const ex of def.expressions(n.parsedConfig)) {
      const path = `nodes[${n.index}].config.${ex.path}`;
      const refs =
        ex.kind === "expression"
          ? typeof ex.value === "string"
            ? templateContextPaths(`{{ ${ex.value} }}`, path)
            : []
          : templateContextPaths(ex.value, path);
      for (const ref of refs) {
        const [root, a, b, field] = ref.names;
        if (root === "input" && a && inputFields && !inputFields.has(a)) {
          out.push({
            path: ref.path,
            nodeId: n.id,
            message: `This uses input field "${a}", which the workflow's inputs do not have. Add it to the trigger's input fields or pick an existing one.`,
          });
        } else if (root === "nodes" && a && b === "output" && field) {
          const target = byId.get(a);
          const schema = (target?.parsedConfig as { outputSchema?: unknown } | undefined)?.outputSchema;
          const fields = declaredFields(schema);
          if (fields && !fields.has(field))
            out.push({
              path: ref.path,
              nodeId: n.id,
              message: `This uses output field "${field}" of "${a}", whose declared output has no such field.`,
            });
        }
      }
    }
  }
  return out;
}

function dedupe(issues: WorkflowIssue[]): WorkflowIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Check a run input against the document's `input` JSON Schema. Returns path-named problems
 * (`input.customer.email`); empty when valid or when the document has no input schema.
 */
export function validateRunInput(document: Pick<WorkflowDocument, "input">, input: unknown): Issue[] {
  // Text no database can store alike (NUL, unpaired surrogates): a field error, before the schema.
  const unsafe = unsafeTextIssues(input, "input");
  if (unsafe.length > 0) return unsafe;
  if (!document.input) return [];
  const compiled = compileJsonSchema(document.input);
  if (isCompileError(compiled))
    return [{ path: "input", message: `The workflow's input schema is not valid: ${compiled.error}.` }];
  return compiled.check(input, "input");
}
