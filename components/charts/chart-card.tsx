// A dashboard panel: title, units, the chart, a link to the runs it counts, and the same
// figures as a table (with links) for keyboard and screen-reader users.
import Link from "next/link";
import type { ReactNode } from "react";

export function ChartCard({
  title,
  description,
  runsHref,
  children,
}: {
  title: string;
  description?: string;
  runsHref: string;
  children: ReactNode;
}) {
  const id = `chart-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section aria-labelledby={id} className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="mb-2 flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id={id} className="text-base font-semibold text-slate-900">
            {title}
          </h2>
          {description ? <p className="text-xs text-slate-600">{description}</p> : null}
        </div>
        <Link href={runsHref} className="text-sm text-blue-700 hover:underline">
          View these runs
        </Link>
      </div>
      {children}
    </section>
  );
}

export function DataTable({
  label,
  columns,
  rows,
}: {
  label: string;
  columns: string[];
  rows: { key: string; cells: { text: string; href?: string }[] }[];
}) {
  return (
    <details className="mt-2 text-sm">
      <summary className="cursor-pointer text-slate-600">Show as table</summary>
      {rows.length === 0 ? (
        <p className="mt-2 text-slate-500">No data in this range.</p>
      ) : (
        <table aria-label={label} className="mt-2 w-full text-left">
          <thead className="text-xs text-slate-500">
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col" className="py-1 pr-3 font-medium">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {rows.map((r) => (
              <tr key={r.key}>
                {r.cells.map((c, i) => (
                  <td key={`${r.key}-${columns[i]}`} className="py-1 pr-3 tabular-nums">
                    {c.href ? (
                      <Link href={c.href} className="text-blue-700 hover:underline">
                        {c.text}
                      </Link>
                    ) : (
                      c.text
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
