"use client";
import { useEffect, useId, useRef, useState } from "react";
// The side-panel form of a node's config, generated from its zod schema (see fields.ts).
// Errors from the same schema are shown inline under each field. Template and expression
// fields offer the variables available at this point of the workflow.
import { getNodeDefinition } from "@/lib/nodes/registry";
import { configErrors, type Field, fieldsFor } from "./fields";
import { AssigneesPicker, CaseRows, CheckRows, DurationInput, EscalationRows, KeyValueRows } from "./row-editors";

export interface Variable {
  path: string;
  hint: string;
}

export interface SchemaFormProps {
  type: string;
  config: Record<string, unknown>;
  onChange(config: Record<string, unknown>, field: string): void;
  variables: Variable[];
  kinds: Record<string, "template" | "expression">;
  extraErrors?: Record<string, string[]>;
  /**
   * A control of the page's own for a field (e.g. the model picker); undefined: the generated one.
   * Gets the id the label points at.
   */
  customControl?: (field: Field, value: unknown, onValue: (v: unknown) => void, id: string) => React.ReactNode;
}

export function SchemaForm({
  type,
  config,
  onChange,
  variables,
  kinds,
  extraErrors = {},
  customControl,
}: SchemaFormProps) {
  const shown = getNodeDefinition(type)?.editor?.shownFields?.(config);
  const fields = fieldsFor(type).filter((f) => !shown || shown.includes(f.key) || config[f.key] !== undefined);
  const errors = configErrors(type, config);
  const set = (key: string, value: unknown) => {
    const next = { ...config };
    if (value === undefined) delete next[key];
    else next[key] = value;
    onChange(next, key);
  };
  const general = [...(errors[""] ?? []), ...(extraErrors[""] ?? [])];
  return (
    <div className="space-y-3">
      {general.length > 0 && (
        <ul className="rounded border border-amber-300 bg-amber-50 p-2 text-xs text-amber-900">
          {general.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
      {fields.map((f) => (
        <FieldRow
          key={f.key}
          field={f}
          value={config[f.key]}
          onValue={(v) => set(f.key, v)}
          errors={[...(errors[f.key] ?? []), ...(extraErrors[f.key] ?? [])]}
          kind={kinds[f.key]}
          variables={variables}
          customControl={customControl}
        />
      ))}
    </div>
  );
}

function FieldRow({
  field,
  value,
  onValue,
  errors,
  kind,
  variables,
  customControl,
}: {
  field: Field;
  value: unknown;
  onValue(v: unknown): void;
  errors: string[];
  kind?: "template" | "expression";
  variables: Variable[];
  customControl?: SchemaFormProps["customControl"];
}) {
  const id = useId();
  const errId = `${id}-err`;
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const invalid = errors.length > 0;
  const common = {
    id,
    "aria-invalid": invalid || undefined,
    "aria-describedby": invalid ? errId : undefined,
    className: `w-full rounded border px-2 py-1 text-sm ${invalid ? "border-red-500" : "border-slate-300"}`,
  };
  const insert = (text: string) => {
    const el = ref.current;
    const current = typeof value === "string" ? value : value === undefined ? "" : JSON.stringify(value);
    const at = el?.selectionStart ?? current.length;
    const end = el?.selectionEnd ?? at;
    onValue(current.slice(0, at) + text + current.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + text.length, at + text.length);
    });
  };

  const [asJson, setAsJson] = useState(false);
  let control: React.ReactNode = customControl?.(field, value, onValue, id);
  if (control === undefined && field.editor && !asJson)
    control = fieldEditor(field, id, value, onValue, kind === "template" ? variables : []);
  if (control === undefined)
    switch (field.kind) {
      case "select":
        control = (
          <select
            {...common}
            value={String(value ?? field.defaultValue ?? "")}
            onChange={(e) => onValue(e.target.value)}
          >
            {!field.required && field.defaultValue === undefined && <option value="">—</option>}
            {field.options?.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        );
        break;
      case "boolean":
        control = (
          <input
            id={id}
            type="checkbox"
            checked={Boolean(value ?? field.defaultValue)}
            onChange={(e) => onValue(e.target.checked)}
            aria-describedby={common["aria-describedby"]}
          />
        );
        break;
      case "number":
        control = (
          <input
            {...common}
            ref={ref}
            type="number"
            value={typeof value === "number" ? value : ""}
            placeholder={field.defaultValue !== undefined ? String(field.defaultValue) : ""}
            onChange={(e) => onValue(e.target.value === "" ? undefined : Number(e.target.value))}
          />
        );
        break;
      case "nullableNumber":
        control = (
          <div className="flex items-center gap-2">
            <input
              {...common}
              ref={ref}
              type="number"
              disabled={value === null}
              value={typeof value === "number" ? value : ""}
              placeholder={typeof field.defaultValue === "number" ? String(field.defaultValue) : ""}
              onChange={(e) => onValue(e.target.value === "" ? undefined : Number(e.target.value))}
            />
            <label className="flex shrink-0 items-center gap-1 text-xs text-slate-700">
              <input
                type="checkbox"
                checked={value === null}
                onChange={(e) => onValue(e.target.checked ? null : undefined)}
              />
              None
            </label>
          </div>
        );
        break;
      case "list":
        control = (
          <input
            {...common}
            ref={ref}
            value={Array.isArray(value) ? value.join(", ") : ""}
            placeholder="comma, separated"
            onChange={(e) =>
              onValue(
                e.target.value
                  .split(",")
                  .map((s) => s.trim())
                  .filter(Boolean),
              )
            }
          />
        );
        break;
      case "json":
      case "value":
        control = (
          <JsonInput
            common={common}
            inputRef={ref}
            value={value}
            allowText={field.kind === "value"}
            onValue={onValue}
          />
        );
        break;
      case "textarea":
        control = (
          <textarea
            {...common}
            ref={ref}
            rows={field.key === "instructions" || field.key === "text" ? 4 : 3}
            value={typeof value === "string" ? value : ""}
            onChange={(e) => onValue(e.target.value)}
          />
        );
        break;
      default:
        control = (
          <input
            {...common}
            ref={ref}
            value={typeof value === "string" || typeof value === "number" ? String(value) : ""}
            placeholder={field.defaultValue !== undefined ? String(field.defaultValue) : ""}
            onChange={(e) => {
              const v = e.target.value;
              onValue(v === "" ? undefined : /^\d+$/.test(v) && field.key === "version" ? Number(v) : v);
            }}
          />
        );
    }

  return (
    <div>
      <label htmlFor={id} className="mb-0.5 block text-xs font-medium text-slate-800">
        {field.label}
        {field.required && <span className="text-red-700"> *</span>}
        {kind && !(field.editor && !asJson) && (
          <span className="ml-1 font-normal text-slate-500">
            ({kind === "template" ? "text with {{ }} variables" : "JSONata expression"})
          </span>
        )}
      </label>
      {field.editor && field.editor !== "duration" && (
        <button
          type="button"
          className="float-right -mt-5 text-[11px] text-blue-700 underline"
          aria-pressed={asJson}
          aria-label={`Edit ${field.label} as JSON`}
          onClick={() => setAsJson(!asJson)}
        >
          {asJson ? "Back to the form" : "Edit as JSON"}
        </button>
      )}
      {control}
      {field.description && <p className="mt-0.5 text-[11px] text-slate-500">{field.description}</p>}
      {kind && variables.length > 0 && field.kind !== "json" && !field.editor && (
        <details className="mt-1 text-[11px]">
          <summary className="cursor-pointer text-blue-700">Insert a variable</summary>
          <ul className="mt-1 flex flex-wrap gap-1" aria-label={`Variables for ${field.label}`}>
            {variables.map((v) => (
              <li key={v.path}>
                <button
                  type="button"
                  title={v.hint}
                  className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-800 hover:bg-blue-100"
                  onClick={() => insert(kind === "template" ? `{{ ${v.path} }}` : v.path)}
                >
                  {v.path}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
      {invalid && (
        <p id={errId} role="alert" className="mt-0.5 text-xs text-red-700">
          {errors.join("; ")}
        </p>
      )}
    </div>
  );
}

/** The purpose-built control of a field (definitions' `editor.fieldEditors`). */
function fieldEditor(
  field: Field,
  id: string,
  value: unknown,
  onValue: (v: unknown) => void,
  variables: Variable[],
): React.ReactNode {
  switch (field.editor) {
    case "duration":
      return (
        <DurationInput
          id={id}
          value={value}
          onValue={onValue}
          nullable={field.kind === "nullableNumber"}
          defaultValue={field.defaultValue}
        />
      );
    case "keyValue":
      return (
        <KeyValueRows
          id={id}
          value={value}
          onValue={onValue}
          label={
            field.key === "headers"
              ? "header"
              : field.key === "query"
                ? "parameter"
                : field.key === "vars" || field.key === "writes"
                  ? "variable"
                  : "row"
          }
          variables={variables}
        />
      );
    case "cases":
      return <CaseRows id={id} value={value} onValue={onValue} />;
    case "checks":
      return <CheckRows id={id} value={value} onValue={onValue} />;
    case "assignees":
      return (
        <AssigneesPicker id={id} value={value} onValue={onValue} defaultValue={field.defaultValue} name={field.label} />
      );
    case "escalation":
      return <EscalationRows id={id} value={value} onValue={onValue} />;
    default:
      return undefined;
  }
}

function showJson(v: unknown, allowText: boolean): string {
  if (v === undefined) return "";
  return allowText && typeof v === "string" ? v : JSON.stringify(v, null, 2);
}

function JsonInput({
  common,
  inputRef,
  value,
  allowText,
  onValue,
}: {
  common: Record<string, unknown>;
  inputRef: React.Ref<HTMLTextAreaElement>;
  value: unknown;
  allowText: boolean;
  onValue(v: unknown): void;
}) {
  const [text, setText] = useState(showJson(value, allowText));
  const [bad, setBad] = useState<string | null>(null);
  const last = useRef(value);
  useEffect(() => {
    // an outside change (undo, another field): show it
    if (value !== last.current) {
      last.current = value;
      setText(showJson(value, allowText));
      setBad(null);
    }
  }, [value, allowText]);
  return (
    <>
      <textarea
        {...common}
        ref={inputRef}
        rows={4}
        className={`${String(common.className)} font-mono text-xs`}
        value={text}
        onChange={(e) => {
          const t = e.target.value;
          setText(t);
          if (t.trim() === "") {
            setBad(null);
            last.current = undefined;
            onValue(undefined);
            return;
          }
          try {
            const parsed = JSON.parse(t);
            setBad(null);
            last.current = parsed;
            onValue(parsed);
          } catch (err) {
            if (allowText) {
              setBad(null);
              last.current = t;
              onValue(t);
            } else setBad(`Not valid JSON yet: ${(err as Error).message}`);
          }
        }}
      />
      {bad && <p className="mt-0.5 text-xs text-red-700">{bad}</p>}
    </>
  );
}
