"use client";
// The inspector's MCP controls: pick a registered server, pick one of the tools its last
// discovery found, fill the tool's arguments in a form generated from its input schema (each
// value may be a template), and pick an agent's tools. The editor page loads the servers on the
// server (lib/use-cases/mcp listServers: stored discoveries, no connection) and provides them
// here; without them (a viewer, or none loaded) the fields stay plain text.
import { createContext, useContext } from "react";
import { KeyValueRows } from "@/lib/nodes/inspector/row-editors";

/** A server as the page hands it over (the shape of McpServerView). */
export interface McpServerChoice {
  name: string;
  transport: "http" | "stdio";
  tools:
    | { name: string; description?: string; inputSchema: Record<string, unknown>; requiresApproval: boolean }[]
    | null;
  discoveryError: string | null;
}

export const McpChoicesContext = createContext<McpServerChoice[] | null>(null);

type Kind = "mcp-server" | "mcp-tool" | "mcp-arguments" | "mcp-tools";

interface ControlProps {
  id: string;
  value: unknown;
  onValue(v: unknown): void;
  config: Record<string, unknown>;
}

const inputClass = "w-full rounded border border-slate-300 px-2 py-1 text-sm";

/** The control for a `choiceFields` kind that starts with `mcp-`, or undefined for other kinds. */
export function mcpChoiceControl(kind: string | undefined, props: ControlProps): React.ReactNode | undefined {
  switch (kind as Kind) {
    case "mcp-server":
      return <McpServerPicker {...props} />;
    case "mcp-tool":
      return <McpToolPicker {...props} />;
    case "mcp-arguments":
      return <McpArgumentsForm {...props} />;
    case "mcp-tools":
      return <McpToolsPicker {...props} />;
    default:
      return undefined;
  }
}

function PlainText({ id, value, onValue }: ControlProps) {
  return (
    <input
      id={id}
      className={inputClass}
      value={typeof value === "string" ? value : ""}
      onChange={(e) => onValue(e.target.value)}
    />
  );
}

function McpServerPicker(props: ControlProps) {
  const servers = useContext(McpChoicesContext);
  if (!servers) return <PlainText {...props} />;
  const current = typeof props.value === "string" ? props.value : "";
  const known = servers.some((s) => s.name === current);
  return (
    <div className="space-y-1">
      <select
        id={props.id}
        className={inputClass}
        value={current}
        onChange={(e) => {
          // a new server: its tools differ, so the tool and its arguments start over
          props.onValue(e.target.value);
        }}
      >
        <option value="">— choose a server —</option>
        {!known && current ? <option value={current}>{current} (not registered in this workspace)</option> : null}
        {servers.map((s) => (
          <option key={s.name} value={s.name}>
            {s.name} ({s.transport === "http" ? "Streamable HTTP" : "stdio"})
          </option>
        ))}
      </select>
      {servers.length === 0 ? (
        <p className="text-[11px] text-slate-500">
          No MCP servers yet: an administrator adds them in Settings → MCP servers.
        </p>
      ) : null}
    </div>
  );
}

function toolsOf(servers: McpServerChoice[] | null, server: unknown) {
  return servers?.find((s) => s.name === server) ?? null;
}

function McpToolPicker(props: ControlProps) {
  const servers = useContext(McpChoicesContext);
  if (!servers) return <PlainText {...props} />;
  const server = toolsOf(servers, props.config.server);
  const current = typeof props.value === "string" ? props.value : "";
  if (!server) return <p className="text-xs text-slate-600">Choose a server first.</p>;
  if (!server.tools)
    return (
      <div className="space-y-1">
        <PlainText {...props} />
        <p className="text-[11px] text-slate-500">
          {server.discoveryError
            ? `The server's tools could not be listed: ${server.discoveryError}`
            : "The server's tools have not been listed yet (Settings → MCP servers → Refresh tools)."}
        </p>
      </div>
    );
  const tool = server.tools.find((t) => t.name === current);
  return (
    <div className="space-y-1">
      <select id={props.id} className={inputClass} value={current} onChange={(e) => props.onValue(e.target.value)}>
        <option value="">— choose a tool —</option>
        {!tool && current ? <option value={current}>{current} (not listed by the server)</option> : null}
        {server.tools.map((t) => (
          <option key={t.name} value={t.name}>
            {t.name}
            {t.requiresApproval ? " (needs approval)" : ""}
          </option>
        ))}
      </select>
      {tool?.description ? <p className="text-[11px] text-slate-600">{tool.description}</p> : null}
      {tool?.requiresApproval ? (
        <p className="text-[11px] text-amber-800">Each call waits for a person's approval in the inbox.</p>
      ) : null}
    </div>
  );
}

type PropSchema = {
  type?: string | string[];
  description?: string;
  title?: string;
  enum?: unknown[];
  default?: unknown;
};

const typeOf = (s: PropSchema) => (Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type);

/** The text a field shows for a stored value (templates and strings as they are, others as JSON). */
const shown = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** A typed value from the field's text: numbers and booleans as such unless it is a template. */
function parsed(text: string, s: PropSchema): unknown {
  if (text === "") return undefined;
  if (text.includes("{{")) return text;
  const t = typeOf(s);
  if ((t === "number" || t === "integer") && text.trim() !== "" && !Number.isNaN(Number(text))) return Number(text);
  if (t === "boolean" && (text === "true" || text === "false")) return text === "true";
  if (t === "object" || t === "array") {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function McpArgumentsForm(props: ControlProps) {
  const servers = useContext(McpChoicesContext);
  const tool = toolsOf(servers, props.config.server)?.tools?.find((t) => t.name === props.config.tool);
  const args =
    props.value && typeof props.value === "object" && !Array.isArray(props.value)
      ? (props.value as Record<string, unknown>)
      : {};
  if (!tool) {
    // no listed schema (not discovered yet, or no pickers here): name → value rows, not JSON
    return (
      <div className="space-y-1">
        <KeyValueRows id={props.id} value={args} onValue={props.onValue} label="argument" />
        <p className="text-[11px] text-slate-500">
          The tool's own form appears here once its server's tools are listed (Settings → MCP servers).
        </p>
      </div>
    );
  }
  const properties = (tool.inputSchema.properties as Record<string, PropSchema> | undefined) ?? {};
  const required = new Set((tool.inputSchema.required as string[] | undefined) ?? []);
  const set = (key: string, v: unknown) => {
    const next = { ...args };
    if (v === undefined) delete next[key];
    else next[key] = v;
    props.onValue(next);
  };
  const names = Object.keys(properties);
  if (names.length === 0) return <p className="text-xs text-slate-600">This tool takes no arguments.</p>;
  return (
    <fieldset
      id={props.id}
      className="space-y-2 rounded border border-slate-200 p-2"
      aria-label={`Arguments of ${tool.name}`}
    >
      {names.map((key) => {
        const s = properties[key] ?? {};
        const fieldId = `${props.id}-${key}`;
        const label = `${s.title ?? key}${required.has(key) ? " *" : ""}`;
        const t = typeOf(s);
        return (
          <div key={key}>
            <label htmlFor={fieldId} className="mb-0.5 block text-xs font-medium text-slate-800">
              {label}
              {t ? <span className="ml-1 font-normal text-slate-500">({t})</span> : null}
            </label>
            {t === "boolean" && !shown(args[key]).includes("{{") ? (
              <select
                id={fieldId}
                className={inputClass}
                value={shown(args[key])}
                onChange={(e) => set(key, e.target.value === "" ? undefined : e.target.value === "true")}
              >
                <option value="">—</option>
                <option value="true">Yes</option>
                <option value="false">No</option>
              </select>
            ) : Array.isArray(s.enum) ? (
              <select
                id={fieldId}
                className={inputClass}
                value={shown(args[key])}
                onChange={(e) => set(key, e.target.value === "" ? undefined : parsed(e.target.value, s))}
              >
                <option value="">—</option>
                {s.enum.map((o) => (
                  <option key={String(o)} value={String(o)}>
                    {String(o)}
                  </option>
                ))}
              </select>
            ) : t === "object" || t === "array" ? (
              <textarea
                id={fieldId}
                className={`${inputClass} font-mono`}
                rows={3}
                value={shown(args[key])}
                onChange={(e) => set(key, parsed(e.target.value, s))}
              />
            ) : (
              <input
                id={fieldId}
                className={inputClass}
                value={shown(args[key])}
                placeholder={t === "string" || !t ? "text or {{ template }}" : `${t} or {{ template }}`}
                onChange={(e) => set(key, parsed(e.target.value, s))}
              />
            )}
            {s.description ? <p className="mt-0.5 text-[11px] text-slate-500">{s.description}</p> : null}
            {required.has(key) && args[key] === undefined ? (
              <p className="mt-0.5 text-xs text-amber-800">The tool needs this: fill it in.</p>
            ) : null}
          </div>
        );
      })}
      <p className="text-[11px] text-slate-500">
        Values may use <code>{"{{ … }}"}</code> templates over the run context; the tool's answer is never evaluated.
      </p>
    </fieldset>
  );
}

function McpToolsPicker(props: ControlProps) {
  const servers = useContext(McpChoicesContext);
  const list = Array.isArray(props.value) ? (props.value as { server: string; tool: string }[]) : [];
  if (!servers) {
    return (
      <textarea
        id={props.id}
        className={`${inputClass} font-mono`}
        rows={3}
        value={list.map((t) => `${t.server}.${t.tool}`).join("\n")}
        readOnly
      />
    );
  }
  const has = (server: string, tool: string) => list.some((t) => t.server === server && t.tool === tool);
  const toggle = (server: string, tool: string, on: boolean) =>
    props.onValue(on ? [...list, { server, tool }] : list.filter((t) => !(t.server === server && t.tool === tool)));
  const listed = servers.filter((s) => s.tools && s.tools.length > 0);
  return (
    <div id={props.id} className="space-y-2">
      {listed.length === 0 ? (
        <p className="text-xs text-slate-600">No MCP tools in this workspace yet (Settings → MCP servers).</p>
      ) : (
        listed.map((s) => (
          <fieldset key={s.name} className="rounded border border-slate-200 p-2">
            <legend className="px-1 text-xs font-medium text-slate-800">{s.name}</legend>
            {s.tools!.map((t) => (
              <label key={t.name} className="flex items-center gap-2 text-xs text-slate-800">
                <input
                  type="checkbox"
                  checked={has(s.name, t.name)}
                  onChange={(e) => toggle(s.name, t.name, e.target.checked)}
                />
                <code>{t.name}</code>
                {t.requiresApproval ? <span className="text-amber-800">needs approval</span> : null}
              </label>
            ))}
          </fieldset>
        ))
      )}
      {list
        .filter((t) => !servers.find((s) => s.name === t.server)?.tools?.some((x) => x.name === t.tool))
        .map((t) => (
          <label key={`${t.server}.${t.tool}`} className="flex items-center gap-2 text-xs text-amber-800">
            <input type="checkbox" checked onChange={() => toggle(t.server, t.tool, false)} />
            <code>
              {t.server}.{t.tool}
            </code>{" "}
            (not listed in this workspace)
          </label>
        ))}
    </div>
  );
}
