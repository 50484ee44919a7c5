"use client";
// The chat panel of a workflow whose trigger is `chat`: each message starts a run of the draft
// with the conversation so far as its input (`{ messages: [{ role, content }] }`), shows the
// agent's reply as it streams (the run's live `step.delta` events, when the model streams), and
// the run's output as the reply when the run ends.
import { useParams } from "next/navigation";
import { useEffect, useId, useRef, useState } from "react";
import { chatReplyAction, chatTurnAction } from "@/app/(app)/workflows/chat-actions";
import { chatReplyText } from "@/lib/nodes/trigger/chat-reply";
import { useEditor, useEditorApi } from "./editor-context";

export type ChatMessage = { role: "user" | "assistant"; content: string };

/** The input schema with a required `messages` array field (the conversation) added. */
export function withMessagesField(schema: unknown): Record<string, unknown> {
  const s = (schema ?? {}) as { properties?: Record<string, unknown>; required?: string[] } & Record<string, unknown>;
  const required = [...new Set([...(s.required ?? []), "messages"])];
  return {
    ...s,
    type: "object",
    properties: {
      ...(s.properties ?? {}),
      messages: {
        type: "array",
        description: "The conversation so far: { role: user | assistant, content } items, the newest last.",
      },
    },
    required,
  };
}

const ENDED = new Set(["run.succeeded", "run.failed", "run.cancelled", "run.waiting"]);

export function ChatPanel() {
  const params = useParams<{ id?: string }>();
  const workflowId = typeof params?.id === "string" ? params.id : null;
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [draft, setDraft] = useState("");
  const [streaming, setStreaming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const source = useRef<EventSource | null>(null);
  const inputId = useId();
  const api = useEditorApi();
  const props = useEditor((s) => (s.meta.input as { properties?: Record<string, unknown> } | undefined)?.properties);
  const lacksMessages = !!props && !("messages" in props);
  useEffect(() => () => source.current?.close(), []);

  const finish = async (runId: string) => {
    source.current?.close();
    source.current = null;
    const r = await chatReplyAction({ runId });
    setStreaming(null);
    setBusy(false);
    if (!r.ok) {
      setError(r.error.message);
      return;
    }
    if (r.data.status === "succeeded")
      setMessages((m) => [...m, { role: "assistant", content: chatReplyText(r.data.output) }]);
    else if (r.data.status === "waiting") setError("The run is waiting for a person (see the inbox); no reply yet.");
    else setError(r.data.error ?? `The run ${r.data.status}.`);
  };

  const send = async () => {
    const text = draft.trim();
    if (!workflowId || !text || busy) return;
    const next: ChatMessage[] = [...messages, { role: "user", content: text }];
    setMessages(next);
    setDraft("");
    setError(null);
    setBusy(true);
    const r = await chatTurnAction({ id: workflowId, messages: next });
    if (!r.ok) {
      setBusy(false);
      setError(r.error.message);
      return;
    }
    const runId = r.data.runId;
    setStreaming("");
    const es = new EventSource(`/api/runs/${encodeURIComponent(runId)}/events`);
    source.current = es;
    let attempt = 0;
    es.addEventListener("live", (e) => {
      const ev = JSON.parse((e as MessageEvent<string>).data) as { text: string; attempt: number; snapshot?: boolean };
      setStreaming((s) => {
        if (ev.snapshot || ev.attempt !== attempt) {
          attempt = ev.attempt;
          return ev.text;
        }
        return (s ?? "") + ev.text;
      });
    });
    es.onmessage = (e) => {
      const ev = JSON.parse(e.data) as { type?: string };
      if (ev.type && ENDED.has(ev.type)) void finish(runId);
    };
    es.addEventListener("end", () => void finish(runId));
  };

  if (!workflowId) return null;
  return (
    <section aria-label="Chat" className="flex flex-col gap-2 rounded border border-slate-200 p-2 text-xs">
      <h3 className="font-semibold text-slate-900">Chat</h3>
      <p className="text-[11px] text-slate-500">
        Each message starts a run of this draft with the conversation as input (<code>input.messages</code>). Once
        published, members chat with the published version on its{" "}
        <a className="text-blue-700 underline" href={`/chat/${encodeURIComponent(workflowId)}`}>
          chat page
        </a>
        .
      </p>
      {lacksMessages && (
        <div className="rounded bg-amber-50 p-1.5 text-amber-900">
          <p>
            The workflow's input fields have no <code>messages</code> field, which chat runs start with.
          </p>
          <button
            type="button"
            className="mt-1 rounded border border-amber-400 px-1.5 py-0.5"
            onClick={() => api.getState().setMeta({ input: withMessagesField(api.getState().meta.input) }, "input")}
          >
            Add the messages input field
          </button>
        </div>
      )}
      <ol aria-label="Conversation" className="max-h-72 space-y-1 overflow-y-auto">
        {messages.map((m, i) => (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: a conversation only grows
            key={i}
            className={`whitespace-pre-wrap rounded px-2 py-1 ${m.role === "user" ? "ml-6 bg-blue-50 text-blue-950" : "mr-6 bg-slate-100 text-slate-900"}`}
          >
            <span className="sr-only">{m.role === "user" ? "You: " : "Agent: "}</span>
            {m.content}
          </li>
        ))}
        {streaming !== null && (
          <li aria-live="polite" className="mr-6 whitespace-pre-wrap rounded bg-slate-100 px-2 py-1 text-slate-700">
            {streaming || "…"}
          </li>
        )}
      </ol>
      {error && (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      )}
      <form
        className="flex gap-1"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label htmlFor={inputId} className="sr-only">
          Message
        </label>
        <input
          id={inputId}
          className="min-w-0 flex-1 rounded border border-slate-300 px-1.5 py-1"
          value={draft}
          placeholder="Message"
          onChange={(e) => setDraft(e.target.value)}
        />
        <button
          type="submit"
          disabled={busy || !draft.trim()}
          className="rounded bg-blue-700 px-2 py-1 text-white disabled:opacity-50"
        >
          Send
        </button>
      </form>
    </section>
  );
}
