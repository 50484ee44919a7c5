"use client";
// Purpose-built controls for config fields a person should never have to write as JSON (the
// definitions name them in `editor.fieldEditors`): durations typed as "2 days", name → value rows
// (http headers, set vars), a condition's cases, a guardrail's checks, who decides an approval
// (roles and members of the workspace) and an escalation chain. Each writes exactly the shape the
// type's zod schema takes, so the workflow document is the same as if it had been typed.
import { createContext, useContext, useEffect, useRef, useState } from "react";
import { formatDuration, parseDuration } from "./duration";

const inputClass = "w-full rounded border border-slate-300 px-2 py-1 text-sm";
const smallButton = "rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-800 hover:bg-slate-50";

// ---------- durations ----------

const shown = (v: unknown) => (typeof v === "number" ? formatDuration(v) : "");

export function DurationInput({
  id,
  value,
  onValue,
  nullable,
  defaultValue,
  noneLabel = "No deadline",
}: {
  id: string;
  value: unknown;
  onValue(v: unknown): void;
  nullable: boolean;
  defaultValue?: unknown;
  noneLabel?: string;
}) {
  const [text, setText] = useState(shown(value));
  const [bad, setBad] = useState(false);
  const last = useRef(value);
  useEffect(() => {
    // an outside change (undo, JSON view): show it
    if (value !== last.current) {
      last.current = value;
      setText(shown(value));
      setBad(false);
    }
  }, [value]);
  const none = value === null;
  const errId = `${id}-duration-err`;
  return (
    <div>
      <div className="flex items-center gap-2">
        <input
          id={id}
          className={`${inputClass} ${bad ? "border-red-500" : ""}`}
          value={none ? "" : text}
          disabled={none}
          aria-invalid={bad || undefined}
          aria-describedby={bad ? errId : undefined}
          placeholder={typeof defaultValue === "number" ? formatDuration(defaultValue) : "e.g. 2 days"}
          onChange={(e) => {
            const t = e.target.value;
            setText(t);
            if (t.trim() === "") {
              setBad(false);
              last.current = undefined;
              onValue(undefined);
              return;
            }
            const ms = parseDuration(t);
            setBad(ms === null);
            if (ms !== null) {
              last.current = ms;
              onValue(ms);
            }
          }}
        />
        {nullable && (
          <label className="flex shrink-0 items-center gap-1 text-xs text-slate-700">
            <input type="checkbox" checked={none} onChange={(e) => onValue(e.target.checked ? null : undefined)} />
            {noneLabel}
          </label>
        )}
      </div>
      {bad && (
        <p id={errId} role="alert" className="mt-0.5 text-xs text-red-700">
          Enter a duration like 2 days, 4 hours or 30 minutes.
        </p>
      )}
    </div>
  );
}

// ---------- rows, generic ----------

/** Local rows that survive half-typed states (an empty name, a duplicate) the stored shape cannot hold. */
function useRows<T>(
  value: unknown,
  toRows: (v: unknown) => T[],
  fromRows: (rows: T[]) => unknown,
  onValue: (v: unknown) => void,
) {
  const [rows, setRows] = useState<T[]>(() => toRows(value));
  const last = useRef<unknown>(value);
  useEffect(() => {
    if (value !== last.current) {
      last.current = value;
      setRows(toRows(value));
    }
  }, [value, toRows]);
  const update = (next: T[]) => {
    setRows(next);
    const v = fromRows(next);
    last.current = v;
    onValue(v);
  };
  return [rows, update] as const;
}

function RemoveButton({ label, onClick }: { label: string; onClick(): void }) {
  return (
    <button type="button" aria-label={label} title={label} className={`${smallButton} shrink-0`} onClick={onClick}>
      ✕
    </button>
  );
}

// ---------- name → value ----------

/** `raw`: a value that is not text (a set step's object), kept as it is until its row is edited. */
type Pair = { name: string; value: string; raw?: unknown };

const pairsOf = (v: unknown): Pair[] =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.entries(v as Record<string, unknown>).map(([name, value]) =>
        typeof value === "string" ? { name, value } : { name, value: JSON.stringify(value), raw: value },
      )
    : [];

const objectOf = (rows: Pair[]) => {
  const out: Record<string, unknown> = {};
  for (const r of rows) {
    if (r.name.trim() === "") continue;
    out[r.name.trim()] = r.raw !== undefined && r.value === JSON.stringify(r.raw) ? r.raw : r.value;
  }
  return out;
};

export function KeyValueRows({
  id,
  value,
  onValue,
  label,
  variables = [],
}: {
  id: string;
  value: unknown;
  onValue(v: unknown): void;
  /** What one row is, e.g. "header", "variable". */
  label: string;
  /** Offered as `{{ path }}` for the value last focused (values are templates). */
  variables?: readonly { path: string; hint: string }[];
}) {
  const [rows, update] = useRows<Pair>(value, pairsOf, objectOf, onValue);
  const [focused, setFocused] = useState(0);
  const set = (i: number, patch: Partial<Pair>) => update(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div id={id} className="space-y-1">
      {rows.length === 0 && <p className="text-xs text-slate-600">None yet.</p>}
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
        <div key={i} className="flex items-center gap-1">
          <input
            aria-label={`${cap(label)} ${i + 1} name`}
            className={`${inputClass} w-2/5`}
            value={r.name}
            placeholder="Name"
            onChange={(e) => set(i, { name: e.target.value })}
          />
          <input
            aria-label={`${cap(label)} ${i + 1} value`}
            className={inputClass}
            value={r.value}
            placeholder="Value or {{ variable }}"
            onFocus={() => setFocused(i)}
            onChange={(e) => set(i, { value: e.target.value })}
          />
          <RemoveButton label={`Remove ${label} ${i + 1}`} onClick={() => update(rows.filter((_, j) => j !== i))} />
        </div>
      ))}
      <button type="button" className={smallButton} onClick={() => update([...rows, { name: "", value: "" }])}>
        Add {label}
      </button>
      {rows.length > 0 && variables.length > 0 && (
        <details className="text-[11px]">
          <summary className="cursor-pointer text-blue-700">
            Insert a variable into {label} {Math.min(focused, rows.length - 1) + 1}
          </summary>
          <ul className="mt-1 flex flex-wrap gap-1" aria-label={`Variables for ${label} values`}>
            {variables.map((v) => (
              <li key={v.path}>
                <button
                  type="button"
                  title={v.hint}
                  className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-800 hover:bg-blue-100"
                  onClick={() => {
                    const i = Math.min(focused, rows.length - 1);
                    set(i, { value: `${rows[i]!.value}{{ ${v.path} }}` });
                  }}
                >
                  {v.path}
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

// ---------- condition cases ----------

type Case = { handle: string; when: string };

const casesOf = (v: unknown): Case[] =>
  Array.isArray(v)
    ? v.map((c) => ({ handle: String((c as Case)?.handle ?? ""), when: String((c as Case)?.when ?? "") }))
    : [];

export function CaseRows({ id, value, onValue }: { id: string; value: unknown; onValue(v: unknown): void }) {
  const [rows, update] = useRows<Case>(value, casesOf, (r) => r, onValue);
  const set = (i: number, patch: Partial<Case>) => update(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div id={id} className="space-y-2">
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: cases are ordered; the position is the identity
        <fieldset key={i} className="space-y-1 rounded border border-slate-200 p-2">
          <legend className="px-1 text-xs font-medium text-slate-800">Case {i + 1}</legend>
          <label className="block text-xs text-slate-700">
            Branch name
            <input
              className={inputClass}
              value={r.handle}
              placeholder="e.g. big_refund"
              onChange={(e) => set(i, { handle: e.target.value })}
            />
          </label>
          <label className="block text-xs text-slate-700">
            Take it when (JSONata)
            <input
              className={`${inputClass} font-mono`}
              value={r.when}
              placeholder="e.g. input.amount > 100"
              onChange={(e) => set(i, { when: e.target.value })}
            />
          </label>
          <RemoveButton label={`Remove case ${i + 1}`} onClick={() => update(rows.filter((_, j) => j !== i))} />
        </fieldset>
      ))}
      <button
        type="button"
        className={smallButton}
        onClick={() => update([...rows, { handle: `case${rows.length + 1}`, when: "" }])}
      >
        Add case
      </button>
    </div>
  );
}

// ---------- guardrail checks ----------

type Check = Record<string, unknown> & { type?: string };

const CHECK_KINDS: { type: string; label: string; blank: Check }[] = [
  { type: "maxLength", label: "Not longer than", blank: { type: "maxLength", max: 1000 } },
  { type: "regex", label: "Text pattern (regex)", blank: { type: "regex", pattern: "", mode: "forbid" } },
  { type: "expression", label: "Expression is true", blank: { type: "expression", expression: "" } },
  { type: "jsonSchema", label: "Matches a JSON Schema", blank: { type: "jsonSchema", schema: { type: "object" } } },
];

const checksOf = (v: unknown): Check[] => (Array.isArray(v) ? v.map((c) => ({ ...(c as Check) })) : []);

export function CheckRows({ id, value, onValue }: { id: string; value: unknown; onValue(v: unknown): void }) {
  const [rows, update] = useRows<Check>(value, checksOf, (r) => r, onValue);
  const set = (i: number, patch: Check) => {
    const next = rows.map((r, j) => {
      if (j !== i) return r;
      const merged: Check = { ...r, ...patch };
      for (const [k, v] of Object.entries(patch)) if (v === undefined) delete merged[k];
      return merged;
    });
    update(next);
  };
  return (
    <div id={id} className="space-y-2">
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: checks are ordered; the position is the identity
        <fieldset key={i} className="space-y-1 rounded border border-slate-200 p-2">
          <legend className="px-1 text-xs font-medium text-slate-800">Check {i + 1}</legend>
          <label className="block text-xs text-slate-700">
            Kind
            <select
              className={inputClass}
              value={String(r.type ?? "")}
              onChange={(e) => {
                const kind = CHECK_KINDS.find((k) => k.type === e.target.value)!;
                update(
                  rows.map((x, j) => (j === i ? { ...kind.blank, ...(x.message ? { message: x.message } : {}) } : x)),
                );
              }}
            >
              {CHECK_KINDS.map((k) => (
                <option key={k.type} value={k.type}>
                  {k.label}
                </option>
              ))}
            </select>
          </label>
          {r.type === "maxLength" && (
            <label className="block text-xs text-slate-700">
              Most characters
              <input
                type="number"
                min={0}
                className={inputClass}
                value={typeof r.max === "number" ? r.max : ""}
                onChange={(e) => set(i, { max: e.target.value === "" ? undefined : Number(e.target.value) })}
              />
            </label>
          )}
          {r.type === "regex" && (
            <>
              <label className="block text-xs text-slate-700">
                Pattern
                <input
                  className={`${inputClass} font-mono`}
                  value={String(r.pattern ?? "")}
                  onChange={(e) => set(i, { pattern: e.target.value })}
                />
              </label>
              <label className="block text-xs text-slate-700">
                The text must
                <select
                  className={inputClass}
                  value={String(r.mode ?? "forbid")}
                  onChange={(e) => set(i, { mode: e.target.value })}
                >
                  <option value="forbid">not match it</option>
                  <option value="match">match it</option>
                </select>
              </label>
              <label className="flex items-center gap-1 text-xs text-slate-700">
                <input
                  type="checkbox"
                  checked={String(r.flags ?? "").includes("i")}
                  onChange={(e) => set(i, { flags: e.target.checked ? "i" : undefined })}
                />
                Ignore upper and lower case
              </label>
            </>
          )}
          {r.type === "expression" && (
            <label className="block text-xs text-slate-700">
              Passes when (JSONata; <code>value</code> is what is checked)
              <input
                className={`${inputClass} font-mono`}
                value={String(r.expression ?? "")}
                placeholder="e.g. $length(value) > 0"
                onChange={(e) => set(i, { expression: e.target.value })}
              />
            </label>
          )}
          {r.type === "jsonSchema" && <JsonSchemaBox value={r.schema} onValue={(schema) => set(i, { schema })} />}
          <label className="block text-xs text-slate-700">
            Message when it fails (optional)
            <input
              className={inputClass}
              value={String(r.message ?? "")}
              onChange={(e) => set(i, { message: e.target.value === "" ? undefined : e.target.value })}
            />
          </label>
          <RemoveButton label={`Remove check ${i + 1}`} onClick={() => update(rows.filter((_, j) => j !== i))} />
        </fieldset>
      ))}
      <button type="button" className={smallButton} onClick={() => update([...rows, { ...CHECK_KINDS[0]!.blank }])}>
        Add check
      </button>
    </div>
  );
}

function JsonSchemaBox({ value, onValue }: { value: unknown; onValue(v: unknown): void }) {
  const [text, setText] = useState(() => JSON.stringify(value ?? {}, null, 2));
  const [bad, setBad] = useState(false);
  return (
    <label className="block text-xs text-slate-700">
      JSON Schema
      <textarea
        rows={4}
        className={`${inputClass} font-mono text-xs ${bad ? "border-red-500" : ""}`}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          try {
            onValue(JSON.parse(e.target.value));
            setBad(false);
          } catch {
            setBad(true);
          }
        }}
      />
      {bad && <span className="text-red-700">Not valid JSON yet.</span>}
    </label>
  );
}

// ---------- who decides ----------

export interface PeopleChoices {
  /** Roles that may decide approvals, e.g. approver, editor, admin. */
  roles: readonly string[];
  members: readonly { id: string; name: string | null; email: string; role: string }[];
}

/** The workspace's roles and members, loaded by the editor page (null: not loaded, e.g. a viewer). */
export const PeopleChoicesContext = createContext<PeopleChoices | null>(null);

const FALLBACK_ROLES = ["approver", "editor", "admin"];
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

type Assignees = { roles: string[]; users: string[] };

const assigneesOf = (v: unknown): Assignees => {
  const a = (v && typeof v === "object" ? v : {}) as Partial<Assignees>;
  return {
    roles: Array.isArray(a.roles) ? a.roles.map(String) : [],
    users: Array.isArray(a.users) ? a.users.map(String) : [],
  };
};

export function AssigneesPicker({
  id,
  value,
  onValue,
  defaultValue,
  name = "Who decides",
}: {
  id: string;
  value: unknown;
  onValue(v: unknown): void;
  defaultValue?: unknown;
  name?: string;
}) {
  const people = useContext(PeopleChoicesContext);
  const current = assigneesOf(value ?? defaultValue);
  const roles = people?.roles ?? FALLBACK_ROLES;
  const members = people?.members ?? [];
  const toggle = (key: "roles" | "users", item: string, on: boolean) => {
    const list = current[key].filter((x) => x !== item);
    onValue({ ...current, [key]: on ? [...list, item] : list });
  };
  const unknownRoles = current.roles.filter((r) => !roles.includes(r));
  const unknownUsers = current.users.filter((u) => !members.some((m) => m.id === u));
  return (
    <fieldset id={id} aria-label={name} className="space-y-2 rounded border border-slate-200 p-2">
      <div>
        <p className="text-xs font-medium text-slate-800">Everyone with the role</p>
        <div className="flex flex-wrap gap-x-3">
          {[...roles, ...unknownRoles].map((r) => (
            <label key={r} className="flex items-center gap-1 text-xs text-slate-800">
              <input
                type="checkbox"
                checked={current.roles.includes(r)}
                onChange={(e) => toggle("roles", r, e.target.checked)}
              />
              {cap(r)}s
            </label>
          ))}
        </div>
      </div>
      <div>
        <p className="text-xs font-medium text-slate-800">Or these people</p>
        {members.length === 0 && unknownUsers.length === 0 ? (
          <p className="text-[11px] text-slate-500">
            {people ? "No members in this workspace yet." : "The member list is not available here."}
          </p>
        ) : (
          <ul className="max-h-40 space-y-0.5 overflow-y-auto">
            {members.map((m) => (
              <li key={m.id}>
                <label className="flex items-center gap-1 text-xs text-slate-800">
                  <input
                    type="checkbox"
                    checked={current.users.includes(m.id)}
                    onChange={(e) => toggle("users", m.id, e.target.checked)}
                  />
                  {m.name || m.email}
                  <span className="text-slate-500">
                    ({m.name ? `${m.email}, ` : ""}
                    {m.role})
                  </span>
                </label>
              </li>
            ))}
            {unknownUsers.map((u) => (
              <li key={u}>
                <label className="flex items-center gap-1 text-xs text-amber-800">
                  <input type="checkbox" checked onChange={() => toggle("users", u, false)} />
                  <code>{u}</code> (not a member of this workspace)
                </label>
              </li>
            ))}
          </ul>
        )}
      </div>
    </fieldset>
  );
}

// ---------- escalation chain ----------

type Level = Assignees & { timeoutMs?: number };

const levelsOf = (v: unknown): Level[] =>
  Array.isArray(v)
    ? v.map((l) => {
        const level: Level = assigneesOf(l);
        const t = (l as Level)?.timeoutMs;
        if (typeof t === "number") level.timeoutMs = t;
        return level;
      })
    : [];

export function EscalationRows({ id, value, onValue }: { id: string; value: unknown; onValue(v: unknown): void }) {
  const [rows, update] = useRows<Level>(value, levelsOf, (r) => (r.length ? r : undefined), onValue);
  return (
    <div id={id} className="space-y-2">
      {rows.map((r, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: levels are ordered; the position is the identity
        <fieldset key={i} className="space-y-1 rounded border border-slate-200 p-2">
          <legend className="px-1 text-xs font-medium text-slate-800">Level {i + 1}</legend>
          <AssigneesPicker
            id={`${id}-level-${i}`}
            name={`Level ${i + 1}: who decides`}
            value={r}
            onValue={(a) => update(rows.map((x, j) => (j === i ? { ...x, ...(a as Assignees) } : x)))}
          />
          <label className="block text-xs text-slate-700" htmlFor={`${id}-level-${i}-deadline`}>
            Their deadline (empty: the approval's own)
          </label>
          <DurationInput
            id={`${id}-level-${i}-deadline`}
            value={r.timeoutMs}
            nullable={false}
            onValue={(ms) =>
              update(
                rows.map((x, j) => {
                  if (j !== i) return x;
                  const { timeoutMs: _old, ...rest } = x;
                  return typeof ms === "number" ? { ...rest, timeoutMs: ms } : rest;
                }),
              )
            }
          />
          <RemoveButton label={`Remove level ${i + 1}`} onClick={() => update(rows.filter((_, j) => j !== i))} />
        </fieldset>
      ))}
      <button type="button" className={smallButton} onClick={() => update([...rows, { roles: ["admin"], users: [] }])}>
        Add level
      </button>
    </div>
  );
}
