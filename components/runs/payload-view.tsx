// A JSON payload: shown whole when small; a truncated preview with a download link when large,
// so a multi-megabyte output never freezes the page.
import type { Payload } from "@/lib/db/runs-queries";

export function PayloadView({
  label,
  payload,
  downloadHref,
}: {
  label: string;
  payload: Payload;
  downloadHref: string;
}) {
  if (payload.value === null && !payload.truncated) {
    return (
      <div>
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</h4>
        <p className="text-sm text-slate-500">none</p>
      </div>
    );
  }
  const text = payload.truncated ? (payload.preview ?? "") : JSON.stringify(payload.value, null, 2);
  return (
    <div>
      <div className="flex items-baseline justify-between gap-2">
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</h4>
        {payload.truncated ? (
          <a href={downloadHref} download className="text-xs text-blue-700 underline">
            Download full {label.toLowerCase()} ({(payload.size / 1024).toFixed(0)} KB)
          </a>
        ) : null}
      </div>
      <pre className="mt-1 max-h-72 overflow-auto rounded bg-slate-50 p-2 font-mono text-xs whitespace-pre-wrap break-all text-slate-800">
        {text}
        {payload.truncated ? "\n… (truncated)" : ""}
      </pre>
    </div>
  );
}
