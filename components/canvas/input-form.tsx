"use client";
// A form generated from the workflow's input JSON Schema (top-level properties), for the run
// dialog. The server checks the input against the full schema; its errors come back by path.
import { useId } from "react";
import { inputDefaults } from "@/lib/workflow/input-defaults";

type Prop = {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  default?: unknown;
  examples?: unknown[];
};
export type InputSchema = { type?: string; properties?: Record<string, Prop>; required?: string[] } | undefined;

export function initialInput(schema: InputSchema): Record<string, unknown> {
  return inputDefaults(schema);
}

export function InputForm({
  schema,
  value,
  onChange,
  errors,
}: {
  schema: InputSchema;
  value: Record<string, unknown>;
  onChange(v: Record<string, unknown>): void;
  errors: Record<string, string>;
}) {
  const base = useId();
  const props = Object.entries(schema?.properties ?? {});
  const required = new Set(schema?.required ?? []);
  if (props.length === 0) {
    return <p className="text-sm text-slate-600">This workflow takes no input fields. Press Start to run it.</p>;
  }
  return (
    <div className="space-y-3">
      {props.map(([key, p]) => {
        const id = `${base}-${key}`;
        const type = Array.isArray(p.type) ? p.type[0] : p.type;
        const set = (v: unknown) => {
          const next = { ...value };
          if (v === undefined) delete next[key];
          else next[key] = v;
          onChange(next);
        };
        const err = errors[key];
        const cls = `w-full rounded border px-2 py-1 text-sm ${err ? "border-red-500" : "border-slate-300"}`;
        const v = value[key];
        // the input designer's example, shown as a hint in the empty field
        const example = Array.isArray(p.examples) && p.examples.length > 0 ? p.examples[0] : undefined;
        const placeholder =
          example === undefined ? undefined : `e.g. ${typeof example === "string" ? example : JSON.stringify(example)}`;
        let control: React.ReactNode;
        if (Array.isArray(p.enum)) {
          control = (
            <select id={id} className={cls} value={String(v ?? "")} onChange={(e) => set(e.target.value || undefined)}>
              <option value="">—</option>
              {p.enum.map((o) => (
                <option key={String(o)} value={String(o)}>
                  {String(o)}
                </option>
              ))}
            </select>
          );
        } else if (type === "number" || type === "integer") {
          control = (
            <input
              id={id}
              type="number"
              placeholder={placeholder}
              className={cls}
              value={typeof v === "number" ? v : ""}
              onChange={(e) => set(e.target.value === "" ? undefined : Number(e.target.value))}
            />
          );
        } else if (type === "boolean") {
          control = <input id={id} type="checkbox" checked={!!v} onChange={(e) => set(e.target.checked)} />;
        } else if (type === "object" || type === "array") {
          control = (
            <textarea
              id={id}
              rows={3}
              className={`${cls} font-mono text-xs`}
              placeholder={placeholder}
              defaultValue={v === undefined ? "" : JSON.stringify(v, null, 2)}
              onChange={(e) => {
                try {
                  set(e.target.value.trim() ? JSON.parse(e.target.value) : undefined);
                } catch {
                  // keep the last valid value; the server reports the error if it is still wrong
                }
              }}
            />
          );
        } else {
          control = (
            <textarea
              id={id}
              rows={2}
              className={cls}
              value={String(v ?? "")}
              placeholder={placeholder}
              onChange={(e) => set(e.target.value)}
            />
          );
        }
        return (
          <div key={key}>
            <label htmlFor={id} className="mb-0.5 block text-sm font-medium text-slate-800">
              {p.title ?? key}
              {required.has(key) && <span className="text-red-700"> *</span>}
            </label>
            {control}
            {p.description && <p className="text-xs text-slate-500">{p.description}</p>}
            {err && (
              <p role="alert" className="text-xs text-red-700">
                {err}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
