// Renders a JSON value readably: objects as labelled rows, arrays of like objects as tables,
// long strings as preformatted text; the raw JSON is one click away. No hooks: usable from
// server and client components.

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="text-slate-400">—</span>;
  if (typeof value === "boolean") return <span className="font-mono">{value ? "true" : "false"}</span>;
  if (typeof value === "number") return <span className="font-mono tabular-nums">{value}</span>;
  const text = String(value);
  if (text.length > 120 || text.includes("\n")) {
    return <pre className="whitespace-pre-wrap break-words rounded bg-slate-50 p-2 font-sans text-sm">{text}</pre>;
  }
  return <span className="break-words">{text}</span>;
}

function Value({ value, depth }: { value: unknown; depth: number }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="text-slate-400">(empty list)</span>;
    const keys = value.every(isPlainObject) ? [...new Set(value.flatMap((row) => Object.keys(row as object)))] : null;
    if (keys && keys.length > 0 && keys.length <= 8 && depth < 4) {
      return (
        <div className="overflow-x-auto">
          <table className="min-w-full border-collapse text-sm">
            <thead>
              <tr>
                {keys.map((k) => (
                  <th
                    key={k}
                    scope="col"
                    className="border-b border-slate-200 px-2 py-1 text-left font-medium text-slate-600"
                  >
                    {k}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {value.map((row, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows of a static payload
                <tr key={i}>
                  {keys.map((k) => (
                    <td key={k} className="border-b border-slate-100 px-2 py-1 align-top">
                      <Value value={(row as Record<string, unknown>)[k]} depth={depth + 1} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }
    return (
      <ol className="list-decimal space-y-1 pl-5">
        {value.map((item, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: items of a static payload
          <li key={i}>
            <Value value={item} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) return <span className="text-slate-400">(empty)</span>;
    if (depth > 5) return <pre className="font-mono text-xs">{JSON.stringify(value, null, 2)}</pre>;
    return (
      <dl
        className={`grid grid-cols-[minmax(6rem,max-content)_1fr] gap-x-4 gap-y-1 ${depth > 0 ? "border-l border-slate-200 pl-3" : ""}`}
      >
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="font-medium text-slate-600">{k}</dt>
            <dd className="min-w-0">
              <Value value={v} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <Scalar value={value} />;
}

export function PayloadView({ value, label = "Data" }: { value: unknown; label?: string }) {
  return (
    <section className="space-y-2" aria-label={label}>
      <Value value={value} depth={0} />
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-500">Raw JSON</summary>
        <pre className="mt-1 max-h-96 overflow-auto rounded bg-slate-900 p-3 font-mono text-xs text-slate-100">
          {JSON.stringify(value, null, 2) ?? "null"}
        </pre>
      </details>
    </section>
  );
}
