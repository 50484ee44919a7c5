"use client";
// The http node's credential picker: the workspace's vault credentials by name, each with how it
// is sent (its kind: bearer, basic, a header, a query parameter). The editor page loads the list
// on the server for people who may edit the workflow and read credentials (names, kinds and
// fields only: values never leave the vault); without it (a viewer) the field stays plain text.
import { createContext, useContext } from "react";

/** A credential as the page hands it over (never its value). */
export interface CredentialChoiceView {
  name: string;
  kind: string;
  /** The header (kind header) or query parameter (kind query) that carries the value. */
  field: string | null;
}

/** null: the page did not load credentials; the field is typed. */
export const CredentialChoicesContext = createContext<CredentialChoiceView[] | null>(null);

const inputClass = "w-full rounded border border-slate-300 px-2 py-1 text-sm";

/** How a credential of this kind is sent on the request. */
export function injectionOf(c: Pick<CredentialChoiceView, "kind" | "field">): string {
  switch (c.kind) {
    case "bearer":
      return "Authorization: Bearer …";
    case "basic":
      return "Authorization: Basic … (user:password)";
    case "header":
      return `header ${c.field ?? "?"}`;
    case "query":
      return `query parameter ?${c.field ?? "?"}=…`;
    default:
      return "Authorization: Bearer … (or the header set in credentialHeader)";
  }
}

export function CredentialPicker({ id, value, onValue }: { id: string; value: unknown; onValue(v: unknown): void }) {
  const choices = useContext(CredentialChoicesContext);
  const current = typeof value === "string" ? value : "";
  if (!choices)
    return (
      <input id={id} className={inputClass} value={current} onChange={(e) => onValue(e.target.value || undefined)} />
    );
  const chosen = choices.find((c) => c.name === current);
  return (
    <div className="space-y-1">
      <select id={id} className={inputClass} value={current} onChange={(e) => onValue(e.target.value || undefined)}>
        <option value="">— none —</option>
        {!chosen && current ? <option value={current}>{current} (not in this workspace)</option> : null}
        {choices.map((c) => (
          <option key={c.name} value={c.name}>
            {c.name} ({c.kind})
          </option>
        ))}
      </select>
      {chosen ? (
        <p className="text-[11px] text-slate-600">Sent as {injectionOf(chosen)}; redacted from everything stored.</p>
      ) : null}
      {choices.length === 0 ? (
        <p className="text-[11px] text-slate-500">
          No credentials yet: an administrator adds them in Settings → Credentials.
        </p>
      ) : null}
    </div>
  );
}
