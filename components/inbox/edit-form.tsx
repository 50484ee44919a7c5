"use client";
// A form generated from an approval's editSchema (JSON Schema): one labelled input per property,
// nested objects as fieldsets, arrays and unknown shapes as JSON text. The server validates the
// result against the same schema; its field errors (path "data.<field>") show under the fields.
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field, FieldError } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { Select } from "@/components/ui/select";
import type { Issue } from "@/lib/contracts/app-errors";

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

function SchemaField({
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
  const error = errors[key] ? `${label.replace(" *", "")}: ${errors[key]}` : undefined;
  const type = typeOf(schema);
  const [jsonText, setJsonText] = useState(() => JSON.stringify(value ?? null, null, 2));

  if (type === "object" && schema.properties) {
    const obj = value && typeof value === "object" ? (value as Record<string, unknown>) : {};
    return (
      <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
        <legend className="px-1 text-sm font-medium text-slate-800">{label}</legend>
        {Object.entries(schema.properties).map(([child, childSchema]) => (
          <SchemaField
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
        {error ? <FieldError announce>{error}</FieldError> : null}
      </fieldset>
    );
  }
  if (type === "boolean") {
    const hintId = schema.description ? `${id}-hint` : undefined;
    const errorId = error ? `${id}-error` : undefined;
    return (
      <div className="space-y-1.5">
        <label className="flex items-center gap-2 text-sm font-medium text-slate-800" htmlFor={id}>
          <input
            id={id}
            type="checkbox"
            className="size-4"
            checked={value === true}
            aria-invalid={error ? true : undefined}
            aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
            onChange={(e) => onChange(path, e.target.checked)}
          />
          {label}
        </label>
        {schema.description ? (
          <p id={hintId} className="text-xs text-slate-500">
            {schema.description}
          </p>
        ) : null}
        {error ? (
          <FieldError id={errorId} announce>
            {error}
          </FieldError>
        ) : null}
      </div>
    );
  }
  return (
    <Field id={id} label={label} hint={schema.description} error={error} announceError>
      {(control) =>
        type === "enum" ? (
          <Select
            {...control}
            value={value === undefined ? "" : JSON.stringify(value)}
            onChange={(e) => onChange(path, e.target.value === "" ? undefined : JSON.parse(e.target.value))}
          >
            <option value="">—</option>
            {(schema.enum ?? []).map((opt) => (
              <option key={JSON.stringify(opt)} value={JSON.stringify(opt)}>
                {String(opt)}
              </option>
            ))}
          </Select>
        ) : type === "number" || type === "integer" ? (
          <Input
            {...control}
            type="number"
            step={type === "integer" ? 1 : "any"}
            value={typeof value === "number" ? value : ""}
            onChange={(e) => onChange(path, e.target.value === "" ? undefined : Number(e.target.value))}
          />
        ) : type === "string" ? (
          (schema.maxLength ?? 1000) > 200 && typeof value === "string" && value.length > 60 ? (
            <Textarea
              {...control}
              rows={4}
              value={typeof value === "string" ? value : ""}
              onChange={(e) => onChange(path, e.target.value)}
            />
          ) : (
            <Input
              {...control}
              type={schema.format === "email" ? "email" : "text"}
              value={typeof value === "string" ? value : ""}
              onChange={(e) => onChange(path, e.target.value)}
            />
          )
        ) : (
          <Textarea
            {...control}
            className="font-mono"
            rows={5}
            value={jsonText}
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
        )
      }
    </Field>
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
  serverErrors: Issue[];
  pending: boolean;
  onSubmit: (data: unknown) => void;
  onCancel: () => void;
}) {
  const s = (schema && typeof schema === "object" ? schema : {}) as Schema;
  const properties = s.properties ?? {};
  const byFields = Object.keys(properties).length > 0;
  // Without a schema the person edits the data as it is: text as plain text (an agent's draft),
  // anything else as JSON, starting from the data they were shown.
  const asText = !byFields && (typeof initial === "string" || initial === null || initial === undefined);
  const [data, setData] = useState<unknown>(() =>
    byFields
      ? initial && typeof initial === "object" && !Array.isArray(initial)
        ? { ...(initial as Record<string, unknown>) }
        : {}
      : asText
        ? (initial ?? "")
        : initial,
  );
  const [jsonErrors, setJsonErrors] = useState<Errors>({});
  const errors: Errors = { ...jsonErrors };
  for (const e of serverErrors) {
    const key = e.path.replace(/^data\.?/, "");
    if (!errors[key]) errors[key] = e.message;
  }
  // the server's error about the data as a whole; a JSON typo is already shown under the field
  const rootError = serverErrors.find((e) => e.path.replace(/^data\.?/, "") === "")?.message;
  const onJsonError = (k: string, m: string | null) =>
    setJsonErrors((prev) => (m ? { ...prev, [k]: m } : withoutKey(prev, k)));
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
      {asText ? (
        <Field id="edit-text" label="Text to approve" error={errors[""]} announceError>
          {(control) => (
            <Textarea
              {...control}
              rows={8}
              value={typeof data === "string" ? data : ""}
              onChange={(e) => setData(e.target.value)}
            />
          )}
        </Field>
      ) : !byFields ? (
        <SchemaField
          name="Data"
          path={[]}
          schema={{ type: "json" }}
          value={data}
          required
          errors={errors}
          onChange={(_p, v) => setData(v)}
          onJsonError={onJsonError}
        />
      ) : (
        Object.entries(properties).map(([name, child]) => (
          <SchemaField
            key={name}
            name={name}
            path={[name]}
            schema={child}
            value={(data as Record<string, unknown>)[name]}
            required={(s.required ?? []).includes(name)}
            errors={errors}
            onChange={(path, value) => setData((prev: unknown) => setAt(prev as Record<string, unknown>, path, value))}
            onJsonError={onJsonError}
          />
        ))
      )}
      {rootError && byFields ? <Alert>{rootError}</Alert> : null}
      <div className="flex gap-2">
        <Button type="submit" loading={pending}>
          Save and approve
        </Button>
        <Button variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function withoutKey(obj: Errors, key: string): Errors {
  const next = { ...obj };
  delete next[key];
  return next;
}
