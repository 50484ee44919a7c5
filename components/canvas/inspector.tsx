"use client";
// The side panel for the selected node: its name and config form. Subscribes to that one node,
// so typing here re-renders this panel and that node only.
import { lazy, Suspense, useMemo } from "react";
import { nodeIdForPath } from "@/lib/canvas/convert";
import type { CanvasEdge, CanvasNode } from "@/lib/canvas/types";
import { nodeCatalog, runsInEngine, varsWrittenBy, visualFor } from "@/lib/nodes/canvas-registry";
import { expressionKinds } from "@/lib/nodes/inspector/fields";
import { SchemaForm, type Variable } from "@/lib/nodes/inspector/schema-form";
import { getNodeDefinition } from "@/lib/nodes/registry";
import { CredentialPicker } from "./credential-picker";
import { countRender, useEditor, useEditorApi } from "./editor-context";
import { Icon } from "./icons";
import { mcpChoiceControl } from "./mcp-pickers";
import { ModelPicker } from "./model-choices";
import { TriggerPanel } from "./trigger-panel";

// loaded when a step is selected by someone who may run it (it brings its server actions)
const TestStepPanel = lazy(() => import("./test-step-panel").then((m) => ({ default: m.TestStepPanel })));

/** Variables a node can use: the run input's fields, upstream nodes' outputs, vars set anywhere. */
export function availableVariables(
  nodeId: string,
  nodes: readonly CanvasNode[],
  edges: readonly CanvasEdge[],
  inputSchema: unknown,
): Variable[] {
  const out: Variable[] = [{ path: "input", hint: "The run input" }];
  const props = (inputSchema as { properties?: Record<string, { title?: string }> })?.properties ?? {};
  for (const [k, v] of Object.entries(props)) out.push({ path: `input.${k}`, hint: v.title ?? `Input field ${k}` });
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const seen = new Set<string>();
  const queue = [nodeId];
  while (queue.length) {
    const id = queue.shift()!;
    for (const e of edges) {
      if (e.target === id && !seen.has(e.source)) {
        seen.add(e.source);
        queue.push(e.source);
      }
    }
  }
  for (const id of seen) {
    const n = byId.get(id);
    if (!n || !runsInEngine(n.type)) continue;
    out.push({ path: `nodes.${id}.output`, hint: `Output of ${n.data.name || id}` });
    // the fields of a declared output (an agent's outputSchema)
    const declared = (n.data.config as { outputSchema?: { properties?: Record<string, { description?: string }> } })
      ?.outputSchema?.properties;
    if (declared && typeof declared === "object")
      for (const [k, v] of Object.entries(declared))
        out.push({ path: `nodes.${id}.output.${k}`, hint: v?.description ?? `Field ${k} of ${n.data.name || id}` });
  }
  for (const n of nodes) {
    for (const k of varsWrittenBy(n.type, n.data.config))
      out.push({ path: `vars.${k}`, hint: `Set by ${n.data.name || n.id}` });
  }
  return out;
}

/**
 * `readOnly` (viewers, approvers): the same settings, disabled, and no test or delete.
 * `workflowId` enables "Test this step".
 */
export function Inspector({
  nodeId,
  workflowId,
  readOnly = false,
}: {
  nodeId: string;
  workflowId?: string;
  readOnly?: boolean;
}) {
  countRender("inspector");
  const api = useEditorApi();
  // subscribe to the node's data and type only: dragging the node must not re-render this form
  const data = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  const nodeType = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.type);
  const node = data ? { id: nodeId, type: nodeType, data } : undefined;
  const problems = useEditor((s) => s.problemsByNode[nodeId]);
  // variables depend on the graph's shape, not on configs being typed: recompute on edges/node count
  const edges = useEditor((s) => s.edges);
  const nodeCount = useEditor((s) => s.nodes.length);
  const inputSchema = useEditor((s) => s.meta.input);
  // biome-ignore lint/correctness/useExhaustiveDependencies: nodeCount stands for the node list's shape
  const variables = useMemo(
    () => availableVariables(nodeId, api.getState().nodes, edges, inputSchema),
    [nodeId, edges, nodeCount, inputSchema, api],
  );
  const kinds = useMemo(() => (data ? expressionKinds(nodeType ?? "", data.config) : {}), [nodeType, data]);
  const extraErrors = useMemo(() => {
    const out: Record<string, string[]> = {};
    for (const p of problems ?? []) {
      const parts = p.path.split(/[.[\]]+/).filter(Boolean);
      // nodes.<i>.config.<field>… → field; anything else about the node → general
      const key = parts[2] === "config" && parts[3] ? parts[3] : "";
      if (key === "" && (p.nodeId ?? nodeIdForPath(p.path, api.getState().nodes)) !== nodeId) continue;
      out[key] ??= [];
      out[key].push(p.message);
    }
    return out;
  }, [problems, api, nodeId]);
  if (!node) return null;
  const type = node.type ?? "";
  const choiceFields = getNodeDefinition(type)?.editor?.choiceFields;
  const visual = visualFor(type);
  // the zod errors are shown by the form itself; only show document-level problems not already there
  const docOnly: Record<string, string[]> = {};
  for (const [k, msgs] of Object.entries(extraErrors)) {
    if (k === "") docOnly[k] = msgs;
  }
  return (
    <section aria-label={`Settings for ${node.data.name || node.id}`} className="space-y-3">
      <header className="flex items-start gap-2">
        <span
          className="flex h-7 w-7 shrink-0 items-center justify-center rounded text-white"
          style={{ background: visual.colour }}
        >
          <Icon path={visual.icon} size={16} />
        </span>
        <div>
          <h2 className="text-sm font-semibold text-slate-900">{nodeCatalog.label(type)}</h2>
          <p className="text-xs text-slate-600">{nodeCatalog.description(type)}</p>
        </div>
      </header>
      {readOnly && <p className="text-xs text-slate-600">You can read this step's settings but not change them.</p>}
      {/* a disabled fieldset disables every control inside it, so viewers read the same form */}
      <fieldset disabled={readOnly} className="min-w-0 space-y-3">
        <div>
          <label htmlFor="node-name" className="mb-0.5 block text-xs font-medium text-slate-800">
            Step name
          </label>
          <input
            id="node-name"
            className="w-full rounded border border-slate-300 px-2 py-1 text-sm"
            value={node.data.name ?? ""}
            placeholder={node.id}
            onChange={(e) => api.getState().updateNodeData(node.id, { name: e.target.value || undefined }, "name")}
          />
          <p className="mt-0.5 text-[11px] text-slate-500">
            Id <code>{node.id}</code> — use <code>nodes.{node.id}.output</code> to read its result.
          </p>
        </div>
        <SchemaForm
          type={type}
          config={node.data.config}
          kinds={kinds}
          variables={variables}
          extraErrors={docOnly}
          onChange={(config, field) => api.getState().updateConfig(node.id, config, field)}
          customControl={(field, value, onValue, id) =>
            choiceFields?.[field.key] === "models" ? (
              <ModelPicker id={id} value={value} onValue={onValue} />
            ) : choiceFields?.[field.key] === "credentials" ? (
              <CredentialPicker id={id} value={value} onValue={onValue} />
            ) : (
              mcpChoiceControl(choiceFields?.[field.key], { id, value, onValue, config: node.data.config })
            )
          }
        />
        {/* the entry step (the trigger) edits the workflow's inputs and shows its URLs, schedule or chat */}
        {getNodeDefinition(type)?.entry && <TriggerPanel config={node.data.config} />}
        {runsInEngine(type) && <AdvancedSettings nodeId={node.id} />}
      </fieldset>
      {!readOnly && workflowId && runsInEngine(type) && (
        <Suspense fallback={null}>
          <TestStepPanel key={node.id} nodeId={node.id} workflowId={workflowId} />
        </Suspense>
      )}
      {!readOnly && (
        <button
          type="button"
          className="rounded border border-red-300 px-2 py-1 text-xs text-red-800 hover:bg-red-50"
          onClick={() => api.getState().deleteNodes([node.id])}
        >
          Delete this step
        </button>
      )}
    </section>
  );
}

/** Node-level settings outside the config: skip (disabled), step timeout, retry attempts. */
function AdvancedSettings({ nodeId }: { nodeId: string }) {
  const api = useEditorApi();
  const data = useEditor((s) => s.nodes.find((n) => n.id === nodeId)?.data);
  if (!data) return null;
  const retry = (data.retry ?? {}) as { maxAttempts?: number };
  const num = (v: string) => (v === "" ? undefined : Math.max(1, Math.round(Number(v))));
  return (
    <details className="rounded border border-slate-200 p-2 text-xs">
      <summary className="cursor-pointer font-medium text-slate-800">Advanced</summary>
      <div className="mt-2 space-y-2">
        <label className="flex items-center gap-2">
          <input
            type="checkbox"
            checked={!!data.disabled}
            onChange={(e) =>
              api.getState().updateNodeData(nodeId, { disabled: e.target.checked || undefined }, "disabled")
            }
          />
          Skip this step (disabled)
        </label>
        <label className="block">
          <span className="mb-0.5 block text-slate-800">Step timeout (ms)</span>
          <input
            type="number"
            min={1}
            className="w-full rounded border border-slate-300 px-2 py-1"
            value={typeof data.timeoutMs === "number" ? data.timeoutMs : ""}
            placeholder="no step timeout"
            onChange={(e) => api.getState().updateNodeData(nodeId, { timeoutMs: num(e.target.value) }, "timeoutMs")}
          />
        </label>
        <label className="block">
          <span className="mb-0.5 block text-slate-800">Attempts (including the first)</span>
          <input
            type="number"
            min={1}
            max={20}
            className="w-full rounded border border-slate-300 px-2 py-1"
            value={typeof retry.maxAttempts === "number" ? retry.maxAttempts : ""}
            placeholder="type default"
            onChange={(e) => {
              const maxAttempts = num(e.target.value);
              const next = { ...retry, maxAttempts };
              if (maxAttempts === undefined) delete next.maxAttempts;
              api.getState().updateNodeData(nodeId, { retry: Object.keys(next).length ? next : undefined }, "retry");
            }}
          />
        </label>
      </div>
    </details>
  );
}
