"use client";
// A form generated from an approval's editSchema (JSON Schema): one labelled input per property,
// nested objects as fieldsets, arrays and unknown shapes as JSON text. The server validates the
// result against the same schema; its field errors (path "data.<field>") show under the fields.
import { useState } from "react";

type Schema = {
  type?: string | string[];
  title?: string;
  description?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  maxLength?: number;
  format?: string;
};

type Errors = Record<string, string>;

function typeOf(schema: Schema): string {
  if (schema.enum) return "enum";
  const t = Array.isArray(schema.type) ? schema.type.find((x) => x !== "null") : schema.type;
  if (t) return t;
  if (schema.properties) return "object";
  return "json";
}

function setAt(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) {
    const next = { ...obj };
    if (value === undefined) delete next[head];
    else next[head] = value;
    return next;
  }
  const child = obj[head] && typeof obj[head] === "object" ? (obj[head] as Record<string, unknown>) : {};
  return { ...obj, [head]: setAt(child, rest, value) };
}

function Field({
  name,
  path,
  schema,
  value,
  required,
  errors,
  onChange,
  onJsonError,
}: {
  name: string;
  path: string[];
  schema: Schema;
  value: unknown;
  required: boolean;
  errors: Errors;
  onChange: (path: string[], value: unknown) => void;
  onJsonError: (path: string, message: string | null) => void;
}) {
  const id = `edit-${path.join("-")}`;
  const key = path.join(".");
  const label = `${schema.title ?? name}${required ? " *" : ""}`;
  const error = errors[key];
  const type = typeOf(schema);
  const describedBy = error ? `${id}-error` : schema.description ? `${id}-desc` : undefined;
  const [jsonText, setJsonText] = useState(() => JSON.stringify(value ?? null, null, 2));
  const hint = schema.description ? (
    <p id={`${id}-desc`} className="text-xs text-zinc-500">
      {schema.description}
    </p>
  ) : null;
  const errorEl = error ? (
    <p id={`${id}-error`} role="alert" className="text-sm text-red-700">
      {label.replace(" *", "")}: {error}
    </p>
  ) : null;
  const inputClass = `w-full rounded border px-2 py-1 ${error ? "border-red-500" : "border-zinc-300"}`;

  if (type === "object" && schema.properties) {
    const obj = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
    return (
      <fieldset className="space-y-3 rounded border border-zinc-200 p-3">
        <legend className="px-1 text-sm font-medium">{label}</legend>
        {Object.entries(schema.properties).map(([child, childSchema]) => (
          <Field
            key={child}
            name={child}
            path={[...path, child]}
            schema={childSchema}
            value={obj[child]}
            required={(schema.required ?? []).includes(child)}
            errors={errors}
            onChange={onChange}
            onJsonError={onJsonError}
          />
        ))}
        {errorEl}
      </fieldset>
    );
  }
  if (type === "boolean") {
    return (
      <div>
        <label className="flex items-center gap-2 text-sm" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            checked={value === true}
            aria-describedby={describedBy}
            onChange={(e) => onChange(path, e.target.checked)}
          />
          {label}
        </label>
        {hint}
        {errorEl}
      </div>
    );
  }
  return (
    <div className="space-y-1">
      <label className="block text-sm font-medium" htmlFor={id}>
        {label}
      </label>
      {type === "enum" ? (
        <select
          id={id}
          className={inputClass}
          value={value === undefined ? "" : JSON.stringify(value)}
          aria-invalid={!!error}
          aria-describedby={describedBy}
          onChange={(e) => onChange(path, e.target.value === "" ? undefined : JSON.parse(e.target.value))}
        >
          <option value="">—</option>
          {(schema.enum ?? []).map((opt) => (
            <option key={JSON.stringify(opt)} value={JSON.stringify(opt)}>
              {String(opt)}
            </option>
          ))}
        </select>
      ) : type === "number" || type === "integer" ? (
        <input
          id={id}
          type="number"
          step={type === "integer" ? 1 : "any"}
          className={inputClass}
          value={typeof value === "number" ? value : ""}
          aria-invalid={!!error}
          aria-describedby={describedBy}
          onChange={(e) => onChange(path, e.target.value === "" ? undefined : Number(e.target.value))}
        />
      ) : type === "string" ? (
        (schema.maxLength ?? 1000) > 200 && typeof value === "string" && value.length > 60 ? (
          <textarea
            id={id}
            className={inputClass}
            rows={4}
            value={typeof value === "string" ? value : ""}
            aria-invalid={!!error}
            aria-describedby={describedBy}
            onChange={(e) => onChange(path, e.target.value)}
          />
        ) : (
          <input
            id={id}
            type={schema.format === "email" ? "email" : "text"}
            className={inputClass}
            value={typeof value === "string" ? value : ""}
            aria-invalid={!!error}
            aria-describedby={describedBy}
            onChange={(e) => onChange(path, e.target.value)}
          />
        )
      ) : (
        <textarea
          id={id}
          className={`${inputClass} font-mono text-xs`}
          rows={5}
          value={jsonText}
          aria-invalid={!!error}
          aria-describedby={describedBy}
          onChange={(e) => {
            setJsonText(e.target.value);
            try {
              onChange(path, JSON.parse(e.target.value));
              onJsonError(key, null);
            } catch {
              onJsonError(key, "is not valid JSON");
            }
          }}
        />
      )}
      {hint}
      {errorEl}
    </div>
  );
}

export function EditForm({
  schema,
  initial,
  serverErrors,
  pending,
  onSubmit,
  onCancel,
}: {
  schema: unknown;
  initial: unknown;
  serverErrors: { path: string; message: string }[];
  pending: boolean;
  onSubmit: (data: unknown) => void;
  onCancel: () => void;
}) {
  const s = (schema && typeof schema === "object" ? schema : {}) as Schema;
  const [data, setData] = useState<Record<string, unknown>>(() =>
    initial && typeof initial === "object" && !Array.isArray(initial)
      ? { ...(initial as Record<string, unknown>) }
      : {},
  );
  const [jsonErrors, setJsonErrors] = useState<Errors>({});
  const errors: Errors = { ...jsonErrors };
  for (const e of serverErrors) {
    const key = e.path.replace(/^data\.?/, "");
    if (!errors[key]) errors[key] = e.message;
  }
  const rootError = errors[""];
  const properties = s.properties ?? {};
  return (
    <form
      aria-label="Edit then approve"
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (Object.keys(jsonErrors).length > 0) return;
        onSubmit(data);
      }}
    >
      {Object.keys(properties).length === 0 ? (
        <Field
          name="Data"
          path={[]}
          schema={{ type: "json" }}
          value={data}
          required
          errors={errors}
          onChange={(_p, v) => setData(v as Record<string, unknown>)}
          onJsonError={(k, m) => setJsonErrors((prev) => (m ? { ...prev, [k]: m } : withoutKey(prev, k)))}
        />
      ) : (
        Object.entries(properties).map(([name, child]) => (
          <Field
            key={name}
            name={name}
            path={[name]}
            schema={child}
            value={data[name]}
            required={(s.required ?? []).includes(name)}
            errors={errors}
            onChange={(path, value) => setData((prev) => setAt(prev, path, value))}
            onJsonError={(k, m) => setJsonErrors((prev) => (m ? { ...prev, [k]: m } : withoutKey(prev, k)))}
          />
        ))
      )}
      {rootError ? (
        <p role="alert" className="text-sm text-red-700">
          {rootError}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button
          type="submit"
          disabled={pending}
          className="rounded bg-emerald-700 px-3 py-1.5 text-sm font-medium text-white disabled:opacity-50"
        >
          Save and approve
        </button>
        <button type="button" onClick={onCancel} className="rounded border border-zinc-300 px-3 py-1.5 text-sm">
          Cancel
        </button>
      </div>
    </form>
  );
}

function withoutKey(obj: Errors, key: string): Errors {
  const next = { ...obj };
  delete next[key];
  return next;
}
