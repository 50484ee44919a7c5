// The agents' conversation, the handoffs between them, and the approvals with who decided.
import type { ApprovalDetail, ConversationMessage, RunDetail } from "@/lib/db/runs-queries";
import { formatDuration, formatWhen } from "./format";
import { StatusBadge } from "./status-badge";

const MAX_MESSAGE_CHARS = 2000;

export function RunPeople({
  conversation,
  handoffs,
  approvals,
}: {
  conversation: ConversationMessage[];
  handoffs: RunDetail["handoffs"];
  approvals: ApprovalDetail[];
}) {
  return (
    <>
      <section aria-labelledby="run-approvals" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="run-approvals" className="mb-2 text-base font-semibold text-slate-900">
          Approvals
        </h2>
        {approvals.length === 0 ? (
          <p className="text-sm text-slate-500">No approvals in this run.</p>
        ) : (
          <ul className="space-y-2 text-sm">
            {approvals.map((a) => {
              const decision = (a.decision ?? {}) as { comment?: string; reason?: string; via?: string };
              const waited = (a.decidedAt ?? new Date()).getTime() - a.createdAt.getTime();
              return (
                <li key={a.id} className="rounded border border-slate-100 p-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <strong>{a.title}</strong>
                    <code className="font-mono text-xs text-slate-500">{a.nodeId}</code>
                    <StatusBadge status={a.status} />
                    {a.kind !== "approval" ? <span className="text-xs text-slate-500">{a.kind}</span> : null}
                  </div>
                  <p className="text-slate-600">
                    Asked {formatWhen(a.createdAt)} ·{" "}
                    {a.decidedAt
                      ? `${a.status} by ${a.decidedByName ?? (decision.via === "timeout" ? "timeout" : "system")} after ${formatDuration(waited)}`
                      : `waiting for ${formatDuration(waited)}`}
                  </p>
                  {decision.comment ? <p className="text-slate-700">“{decision.comment}”</p> : null}
                  {decision.reason ? <p className="text-slate-500">Reason: {decision.reason}</p> : null}
                </li>
              );
            })}
          </ul>
        )}
      </section>
      {handoffs.length ? (
        <section aria-labelledby="run-handoffs" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="run-handoffs" className="mb-2 text-base font-semibold text-slate-900">
            Handoffs
          </h2>
          <ol className="space-y-1 text-sm">
            {handoffs.map((h, i) => (
              <li key={`${h.from}-${h.to}-${h.at ?? i}`}>
                <code className="font-mono">{h.from}</code> → <code className="font-mono">{h.to}</code>
                {h.reason ? <span className="text-slate-600"> — {h.reason}</span> : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <section aria-labelledby="run-conversation" className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 id="run-conversation" className="mb-2 text-base font-semibold text-slate-900">
          Conversation
        </h2>
        {conversation.length === 0 ? (
          <p className="text-sm text-slate-500">No agent messages in this run.</p>
        ) : (
          <ol className="max-h-[32rem] space-y-2 overflow-auto text-sm">
            {conversation.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id and never reorder
              <li key={i} className={m.role === "user" ? "rounded bg-slate-50 p-2" : "rounded bg-blue-50 p-2"}>
                <p className="text-xs font-semibold text-slate-600">
                  {m.name ?? m.nodeId ?? m.role}
                  {m.name || m.nodeId ? <span className="font-normal"> ({m.role})</span> : null}
                </p>
                <p className="whitespace-pre-wrap break-words text-slate-800">
                  {m.content.length > MAX_MESSAGE_CHARS
                    ? `${m.content.slice(0, MAX_MESSAGE_CHARS)}… (truncated)`
                    : m.content}
                </p>
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}
