"use client";
// The chat page of a published chat workflow (/chat/<id>): each message is one turn through
// POST /api/v1/workflows/<id>/chat (the signed-in member's session), the reply shown as it
// streams (`event: delta`), then as the run's reply (`event: reply`). The conversation lives in
// this page (a reload clears it).
import { useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import { createSseParser } from "./sse";

type Message = { role: "user" | "assistant"; content: string };
type Reply = { status: string; reply: string | null; error: string | null; waitingOnPerson: boolean; runId: string };

export function ChatWindow({ workflowId }: { workflowId: string }) {
  const [messages, setMessages] = useState<Message[]>([]);
  const [draft, setDraft] = useState("");
  const [streaming, setStreaming] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  const send = async () => {
    const text = draft.trim();
    if (!text || busy) return;
    const next: Message[] = [...messages, { role: "user", content: text }];
    setMessages(next);
    setDraft("");
    setNote(null);
    setBusy(true);
    setStreaming("");
    const controller = new AbortController();
    abort.current = controller;
    let final: Reply | null = null;
    try {
      const res = await fetch(`/api/v1/workflows/${encodeURIComponent(workflowId)}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ messages: next }),
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const problem = (await res.json().catch(() => null)) as { detail?: string } | null;
        setNote(problem?.detail ?? `The message was refused (${res.status}).`);
        return;
      }
      const parser = createSseParser((frame) => {
        if (frame.event === "delta") {
          const piece = JSON.parse(frame.data) as { text: string };
          setStreaming((s) => (s ?? "") + piece.text);
        } else if (frame.event === "reply") final = JSON.parse(frame.data) as Reply;
        else if (frame.event === "error") setNote((JSON.parse(frame.data) as { message: string }).message);
      });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
      const r = final as Reply | null;
      if (r?.status === "succeeded") {
        const content = r.reply ?? "";
        setMessages((m) => [...m, { role: "assistant", content }]);
      } else if (r?.waitingOnPerson) setNote("The run is waiting for a person (see the inbox); no reply yet.");
      else if (r) setNote(r.error ?? `The run ${r.status}.`);
    } catch (error) {
      if (!controller.signal.aborted) setNote(error instanceof Error ? error.message : String(error));
    } finally {
      setStreaming(null);
      setBusy(false);
      abort.current = null;
    }
  };

  return (
    <section aria-label="Chat" className="flex flex-col gap-3">
      <ol aria-label="Conversation" className="space-y-2">
        {messages.map((m, i) => (
          <li
            // biome-ignore lint/suspicious/noArrayIndexKey: a conversation only grows
            key={i}
            className={`whitespace-pre-wrap rounded-md px-3 py-2 text-sm ${m.role === "user" ? "ml-12 bg-blue-50 text-blue-950" : "mr-12 bg-slate-100 text-slate-900"}`}
          >
            <span className="sr-only">{m.role === "user" ? "You: " : "Agent: "}</span>
            {m.content}
          </li>
        ))}
        {streaming !== null && (
          <li aria-live="polite" className="mr-12 whitespace-pre-wrap rounded-md bg-slate-50 px-3 py-2 text-sm">
            <span className="sr-only">Agent (typing): </span>
            {streaming || "…"}
          </li>
        )}
      </ol>
      {note && (
        <p role="status" className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {note}
        </p>
      )}
      <form
        className="flex gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <label className="sr-only" htmlFor="chat-message">
          Message
        </label>
        <textarea
          id="chat-message"
          value={draft}
          rows={2}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
          className="min-h-10 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm"
          placeholder="Write a message…"
        />
        <Button type="submit" disabled={busy || !draft.trim()}>
          {busy ? "Waiting…" : "Send"}
        </Button>
        {busy && (
          <Button type="button" variant="secondary" onClick={() => abort.current?.abort()}>
            Stop following
          </Button>
        )}
      </form>
    </section>
  );
}
