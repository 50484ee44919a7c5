"use client";
// The trigger's side panel beyond its config form: the workflow's input fields (edited as rows,
// written as the document's `input` JSON Schema — the run form, the API, the MCP tool schema and
// the webhook's validation all read that schema), and per kind: the webhook's URLs and test
// listener, or the schedule's next five fire times and pause/resume.
import { Cron } from "croner";
import { useParams } from "next/navigation";
import { lazy, Suspense, useEffect, useId, useMemo, useRef, useState } from "react";
import { useEditor, useEditorApi } from "./editor-context";

// loaded on use: it calls server actions (and keeps this module importable in unit tests)
const ChatPanel = lazy(() => import("./chat-panel").then((m) => ({ default: m.ChatPanel })));

export const FIELD_TYPES = ["string", "number", "boolean", "object", "array"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface InputField {
  name: string;
  type: FieldType;
  required: boolean;
  description: string;
  /** as typed */
  example: string;
  /** keys of the property this row does not edit (title, default, enum, …), kept as they were */
  rest: Record<string, unknown>;
}

type Schema = { type?: string; properties?: Record<string, Record<string, unknown>>; required?: string[] };

export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** The input schema's top-level properties as rows. */
export function fieldsFromSchema(schema: unknown): InputField[] {
  const s = (schema ?? {}) as Schema;
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([name, p]) => {
    const { type, description, examples, ...rest } = p ?? {};
    const t = (Array.isArray(type) ? type[0] : type) as string | undefined;
    const example = Array.isArray(examples) && examples.length > 0 ? examples[0] : undefined;
    return {
      name,
      type: (FIELD_TYPES as readonly string[]).includes(t ?? "")
        ? (t as FieldType)
        : t === "integer"
          ? "number"
          : "string",
      required: required.has(name),
      description: typeof description === "string" ? description : "",
      example: example === undefined ? "" : typeof example === "string" ? example : JSON.stringify(example),
      rest: t === "integer" ? { ...rest, __integer: true } : rest,
    };
  });
}

function exampleValue(type: FieldType, text: string): unknown {
  if (text === "") return undefined;
  if (type === "string") return text;
  if (type === "number") return Number.isFinite(Number(text)) ? Number(text) : undefined;
  if (type === "boolean") return text === "true" ? true : text === "false" ? false : undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Problems of a row, by field: a name usable as `input.<name>`, unique; an example of its type. */
export function fieldProblems(fields: readonly InputField[]): Record<number, string> {
  const out: Record<number, string> = {};
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    if (!FIELD_NAME.test(f.name)) out[i] = "Use letters, digits and _ (not first), e.g. customer_email.";
    else if (seen.has(f.name)) out[i] = `Another field is called “${f.name}”.`;
    else if (f.example !== "" && exampleValue(f.type, f.example) === undefined)
      out[i] = `The example is not a valid ${f.type}.`;
    seen.add(f.name);
  });
  return out;
}

/** Rows → the input JSON Schema (rows with problems are left out until fixed). */
export function schemaFromFields(fields: readonly InputField[], previous: unknown): Record<string, unknown> {
  const prev = (previous ?? {}) as Schema & Record<string, unknown>;
  const problems = fieldProblems(fields);
  const properties: Record<string, Record<string, unknown>> = {};
  const required: string[] = [];
  fields.forEach((f, i) => {
    if (problems[i] && !problems[i].startsWith("The example")) return;
    const { __integer, ...rest } = f.rest as Record<string, unknown> & { __integer?: boolean };
    const example = exampleValue(f.type, f.example);
    properties[f.name] = {
      ...rest,
      type: f.type === "number" && __integer ? "integer" : f.type,
      ...(f.description.trim() ? { description: f.description.trim() } : {}),
      ...(example !== undefined ? { examples: [example] } : {}),
    };
    if (f.required) required.push(f.name);
  });
  const { properties: _p, required: _r, ...others } = prev;
  return { ...others, type: "object", properties, ...(required.length ? { required } : {}) };
}

export function InputDesigner() {
  const api = useEditorApi();
  const schema = useEditor((s) => s.meta.input);
  const [fields, setFields] = useState<InputField[]>(() => fieldsFromSchema(schema));
  const written = useRef<string>(JSON.stringify(schema ?? null));
  const base = useId();
  // undo/redo or another change of the schema: show it
  useEffect(() => {
    const now = JSON.stringify(schema ?? null);
    if (now !== written.current) {
      written.current = now;
      setFields(fieldsFromSchema(schema));
    }
  }, [schema]);
  const problems = useMemo(() => fieldProblems(fields), [fields]);
  const update = (next: InputField[]) => {
    setFields(next);
    const input = schemaFromFields(next, api.getState().meta.input);
    written.current = JSON.stringify(input);
    api.getState().setMeta({ input }, "input");
  };
  const patch = (i: number, p: Partial<InputField>) => update(fields.map((f, j) => (j === i ? { ...f, ...p } : f)));
  return (
    <section aria-label="Input fields" className="space-y-2 rounded border border-slate-200 p-2">
      <header>
        <h3 className="text-xs font-semibold text-slate-900">Input fields</h3>
        <p className="text-[11px] text-slate-500">
          What a run starts with. The run form, the API, MCP and webhooks check input against these fields; use them as{" "}
          <code>input.&lt;name&gt;</code>.
        </p>
      </header>
      {fields.length === 0 && <p className="text-xs text-slate-600">No input fields yet.</p>}
      {fields.map((f, i) => {
        const n = i + 1;
        const id = `${base}-${i}`;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional; names change while typed
          <fieldset key={i} className="space-y-1 rounded border border-slate-200 p-2 text-xs">
            <legend className="px-1 text-[11px] font-medium text-slate-700">Field {n}</legend>
            <div className="flex gap-1">
              <label className="sr-only" htmlFor={`${id}-name`}>
                Field {n} name
              </label>
              <input
                id={`${id}-name`}
                className="min-w-0 flex-1 rounded border border-slate-300 px-1.5 py-0.5 font-mono"
                value={f.name}
                placeholder="name"
                onChange={(e) => patch(i, { name: e.target.value })}
              />
              <label className="sr-only" htmlFor={`${id}-type`}>
                Field {n} type
              </label>
              <select
                id={`${id}-type`}
                className="rounded border border-slate-300 px-1 py-0.5"
                value={f.type}
                onChange={(e) => patch(i, { type: e.target.value as FieldType })}
              >
                {FIELD_TYPES.map((t) => (
                  <option key={t} value={t}>
                    {t}
                  </option>
                ))}
              </select>
            </div>
            <label className="flex items-center gap-1">
              <input type="checkbox" checked={f.required} onChange={(e) => patch(i, { required: e.target.checked })} />
              Field {n} required
            </label>
            <label className="block">
              <span className="sr-only">Field {n} description</span>
              <input
                className="w-full rounded border border-slate-300 px-1.5 py-0.5"
                value={f.description}
                placeholder="Description (shown in the run form)"
                aria-label={`Field ${n} description`}
                onChange={(e) => patch(i, { description: e.target.value })}
              />
            </label>
            <label className="block">
              <span className="sr-only">Field {n} example</span>
              <input
                className="w-full rounded border border-slate-300 px-1.5 py-0.5"
                value={f.example}
                placeholder={f.type === "object" ? 'Example, e.g. {"id": 1}' : "Example"}
                aria-label={`Field ${n} example`}
                onChange={(e) => patch(i, { example: e.target.value })}
              />
            </label>
            {problems[i] && (
              <p role="alert" className="text-[11px] text-red-700">
                {problems[i]}
              </p>
            )}
            <button
              type="button"
              className="text-[11px] text-red-800 underline"
              onClick={() => update(fields.filter((_, j) => j !== i))}
            >
              Remove field {n}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        className="rounded border border-slate-300 px-2 py-1 text-xs hover:bg-slate-50"
        onClick={() =>
          setFields([...fields, { name: "", type: "string", required: false, description: "", example: "", rest: {} }])
        }
      >
        Add input field
      </button>
    </section>
  );
}

function useWorkflowId(): string | null {
  const params = useParams<{ id?: string }>();
  return typeof params?.id === "string" ? params.id : null;
}

type Captured = { at: string; method: string; headers: Record<string, string>; body: unknown; text: string | null };
type ListenState = {
  productionUrl: string;
  testUrl: string;
  listening: boolean;
  until: number | null;
  requests: Captured[];
};

function CopyField({ label, value }: { label: string; value: string }) {
  const id = useId();
  return (
    <div>
      <label htmlFor={id} className="block text-[11px] font-medium text-slate-700">
        {label}
      </label>
      <div className="flex gap-1">
        <input
          id={id}
          readOnly
          value={value}
          className="min-w-0 flex-1 rounded border border-slate-300 px-1.5 py-0.5 font-mono text-[11px]"
        />
        <button
          type="button"
          className="rounded border border-slate-300 px-1.5 text-[11px]"
          onClick={() => void navigator.clipboard?.writeText(value)}
        >
          Copy
        </button>
      </div>
    </div>
  );
}

export function WebhookSection() {
  const workflowId = useWorkflowId();
  const [state, setState] = useState<ListenState | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [clock, setClock] = useState(() => Date.now());
  const url = workflowId ? `/api/hooks/listen/${encodeURIComponent(workflowId)}` : null;
  useEffect(() => {
    if (!url) return;
    void fetch(url)
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((s: ListenState) => setState(s))
      .catch((e: unknown) => setError(String(e)));
  }, [url]);
  const listening = !!state?.listening && (state.until ?? 0) > clock;
  useEffect(() => {
    if (!url || !listening) return;
    const timer = setInterval(() => {
      setClock(Date.now());
      void fetch(url)
        .then((r) => (r.ok ? r.json() : null))
        .then((s: ListenState | null) => s && setState(s));
    }, 1000);
    return () => clearInterval(timer);
  }, [url, listening]);
  const listen = async () => {
    if (!url) return;
    setError(null);
    const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    if (!r.ok) {
      setError(`Could not listen (HTTP ${r.status}).`);
      return;
    }
    setState((await r.json()) as ListenState);
    setClock(Date.now());
  };
  if (!workflowId) return null;
  const left = state?.until ? Math.max(0, Math.round((state.until - clock) / 1000)) : 0;
  return (
    <section aria-label="Webhook" className="space-y-2 rounded border border-slate-200 p-2 text-xs">
      <h3 className="font-semibold text-slate-900">Webhook</h3>
      {state && (
        <>
          <CopyField label="Production URL" value={state.productionUrl} />
          <p className="text-[11px] text-slate-500">
            Starts a run of the latest published version: publish after changing the trigger. Send JSON with a{" "}
            <code>webhook-id</code> (or <code>Idempotency-Key</code>) header so redeliveries answer with the first run.
          </p>
          <CopyField label="Test URL" value={state.testUrl} />
        </>
      )}
      <button
        type="button"
        className="rounded border border-blue-300 bg-blue-50 px-2 py-1 text-blue-900 hover:bg-blue-100"
        onClick={() => void listen()}
      >
        {listening ? `Listening… ${left} s (restart)` : "Listen for a test request"}
      </button>
      {error && (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      )}
      {state && state.requests.length > 0 && (
        <ul aria-label="Test requests" className="space-y-1">
          {state.requests.map((r) => (
            <li key={r.at} className="rounded bg-slate-50 p-1.5">
              <p className="font-medium text-slate-800">
                {r.method} received {new Date(r.at).toLocaleTimeString()}
              </p>
              <pre className="max-h-40 overflow-auto whitespace-pre-wrap break-all font-mono text-[11px] text-slate-700">
                {r.text ?? JSON.stringify(r.body, null, 2)}
              </pre>
              <details>
                <summary className="cursor-pointer text-[11px] text-slate-600">Headers</summary>
                <pre className="font-mono text-[11px]">{JSON.stringify(r.headers, null, 2)}</pre>
              </details>
            </li>
          ))}
        </ul>
      )}
      {!listening && state?.until && state.requests.length === 0 && (
        <p className="text-slate-600">Stopped listening: nothing arrived within two minutes.</p>
      )}
    </section>
  );
}

/** The next `count` fire times, or the cron error. Browser-safe (croner has no dependencies). */
export function previewFireTimes(cron: string, timezone: string | undefined, from = new Date(), count = 5) {
  try {
    const c = new Cron(cron, { timezone: timezone || "UTC", paused: true, mode: "5-part" });
    return { times: c.nextRuns(count, from), error: null };
  } catch (error) {
    return { times: [] as Date[], error: error instanceof Error ? error.message : String(error) };
  }
}

type ScheduleView = { paused: boolean; nextFireAt: string | null; cron: string; timezone: string } | null;

export function ScheduleSection({ cron, timezone }: { cron: string; timezone?: string }) {
  const workflowId = useWorkflowId();
  const preview = useMemo(() => previewFireTimes(cron, timezone), [cron, timezone]);
  const [published, setPublished] = useState<ScheduleView | undefined>(undefined);
  const url = workflowId ? `/api/hooks/schedule/${encodeURIComponent(workflowId)}` : null;
  useEffect(() => {
    if (!url) return;
    void fetch(url)
      .then((r) => (r.ok ? r.json() : { schedule: null }))
      .then((b: { schedule: ScheduleView }) => setPublished(b.schedule));
  }, [url]);
  const toggle = async (paused: boolean) => {
    if (!url) return;
    const r = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ paused }),
    });
    if (r.ok) setPublished(((await r.json()) as { schedule: ScheduleView }).schedule);
  };
  const fmt = (d: Date) =>
    d.toLocaleString(undefined, { timeZone: timezone || "UTC", dateStyle: "medium", timeStyle: "short" });
  return (
    <section aria-label="Schedule" className="space-y-2 rounded border border-slate-200 p-2 text-xs">
      <h3 className="font-semibold text-slate-900">Next five fire times ({timezone || "UTC"})</h3>
      {preview.error ? (
        <p className="text-red-700">{preview.error}</p>
      ) : (
        <ol aria-label="Next fire times" className="list-decimal pl-5 text-slate-800">
          {preview.times.map((t) => (
            <li key={t.toISOString()}>{fmt(t)}</li>
          ))}
        </ol>
      )}
      {published === null && (
        <p className="text-slate-600">Not scheduled yet: the schedule starts firing when you publish.</p>
      )}
      {published && (
        <div className="space-y-1">
          <p className="text-slate-700">
            Published schedule <code>{published.cron}</code>:{" "}
            {published.paused
              ? "paused"
              : published.nextFireAt
                ? `next run ${fmt(new Date(published.nextFireAt))}`
                : "no future fire time"}
          </p>
          <button
            type="button"
            className="rounded border border-slate-300 px-2 py-1 hover:bg-slate-50"
            onClick={() => void toggle(!published.paused)}
          >
            {published.paused ? "Resume schedule" : "Pause schedule"}
          </button>
        </div>
      )}
    </section>
  );
}

/** Everything the trigger's panel shows under its config form. */
export function TriggerPanel({ config }: { config: Record<string, unknown> }) {
  const kind = String(config.kind ?? "manual");
  return (
    <div className="space-y-3">
      {kind === "webhook" && <WebhookSection />}
      {kind === "schedule" && typeof config.cron === "string" && config.cron && (
        <ScheduleSection
          cron={config.cron}
          timezone={typeof config.timezone === "string" ? config.timezone : undefined}
        />
      )}
      {kind === "chat" && (
        <Suspense fallback={null}>
          <ChatPanel />
        </Suspense>
      )}
      <InputDesigner />
    </div>
  );
}
