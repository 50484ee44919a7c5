// The trail that led to an approval: earlier steps and their outputs, the agents' conversation,
// who handed to whom. Server-safe (no hooks).
import { StatusBadge } from "@/components/runs/status-badge";
import type { ConversationMessage, Handoff, TrailStep } from "@/lib/db/approvals";
import { formatUsd } from "./format";
import { PayloadView } from "./payload-view";

export function Trail({
  steps,
  conversation,
  handoffs,
  stepNames = {},
}: {
  steps: TrailStep[];
  conversation: ConversationMessage[];
  handoffs: Handoff[];
  /** step id → its name in the workflow (ids show only for steps without one) */
  stepNames?: Record<string, string>;
}) {
  const stepName = (id: string) => stepNames[id] ?? id;
  return (
    <div className="space-y-6">
      <section aria-labelledby="steps-h">
        <h2 id="steps-h" className="mb-2 text-lg font-semibold">
          Earlier steps
        </h2>
        {steps.length === 0 ? (
          <p className="text-sm text-slate-500">No steps recorded before this approval.</p>
        ) : (
          <ol className="space-y-2">
            {steps.map((s) => (
              <li key={s.id} className="rounded-md border border-slate-200 bg-white p-3">
                <details>
                  <summary className="flex cursor-pointer flex-wrap items-center gap-2 text-sm">
                    <span className="font-medium">{stepName(s.nodeId)}</span>
                    <span className="text-slate-500">{s.nodeType}</span>
                    <StatusBadge status={s.status} />
                    {s.visit > 1 ? <span className="text-xs text-slate-500">visit {s.visit}</span> : null}
                    {s.model ? (
                      <span className="text-xs text-slate-500">
                        {s.model}
                        {s.simulated && s.model !== "simulated" ? " (simulated)" : ""}
                      </span>
                    ) : null}
                    {s.costUsd > 0 ? <span className="text-xs text-slate-500">{formatUsd(s.costUsd)}</span> : null}
                  </summary>
                  <div className="mt-2 text-sm">
                    {s.error ? (
                      <p className="mb-2 text-red-700">
                        {typeof s.error === "object" && s.error && "message" in s.error
                          ? String(s.error.message)
                          : JSON.stringify(s.error)}
                      </p>
                    ) : null}
                    {s.output !== null && s.output !== undefined ? (
                      <PayloadView value={s.output} label={`Output of ${stepName(s.nodeId)}`} />
                    ) : null}
                  </div>
                </details>
              </li>
            ))}
          </ol>
        )}
      </section>
      {handoffs.length ? (
        <section aria-labelledby="handoffs-h">
          <h2 id="handoffs-h" className="mb-2 text-lg font-semibold">
            Handoffs
          </h2>
          <ul className="space-y-1 text-sm">
            {handoffs.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: static list
              <li key={i}>
                <span className="font-medium">{stepName(h.from)}</span> →{" "}
                <span className="font-medium">{stepName(h.to)}</span>
                {h.reason ? <span className="text-slate-600">: {h.reason}</span> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section aria-labelledby="conversation-h">
        <h2 id="conversation-h" className="mb-2 text-lg font-semibold">
          Conversation
        </h2>
        {conversation.length === 0 ? (
          <p className="text-sm text-slate-500">No agent conversation in this run.</p>
        ) : (
          <ol className="space-y-2">
            {conversation.map((m, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: messages have no id
              <li key={i} className={`rounded p-2 text-sm ${m.role === "user" ? "bg-slate-50" : "bg-blue-50"}`}>
                <div className="mb-1 text-xs text-slate-500">
                  {m.role}
                  {m.agent ? ` · ${m.agent}` : ""}
                </div>
                <p className="whitespace-pre-wrap break-words">{m.content}</p>
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}
