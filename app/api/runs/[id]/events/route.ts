// Server-sent events of one run, read from its event log (RunEvent, ordered by seq). Each
// event's `id:` is its seq, so a reconnecting EventSource (Last-Event-ID) or `?after=<seq>`
// resumes exactly where it stopped. Wakes on the in-process notifier when there is one, else
// polls every 250 ms; stops as soon as the client goes away, or (re-checked every RECHECK_MS)
// when the caller's session is revoked, they are removed, or the API key is revoked. A streaming model's tokens of a run
// executing in this process — or, on PostgreSQL, in another one (lib/runtime/event-relay.ts) —
// arrive as `event: live` messages without an id (not stored).
import { z } from "zod";
import { runOfPath } from "@/lib/server/resources";
import { authedRoute } from "@/lib/server/route";
import { runEventWaiter, runLiveFeed } from "./waiter";

export const dynamic = "force-dynamic";

const TERMINAL = new Set(["run.succeeded", "run.failed", "run.cancelled"]);
const PAGE = 500;
const HEARTBEAT_MS = 15_000;
/** How often an open stream re-checks its caller (session revoked, member removed, key revoked). */
const RECHECK_MS = 2_000;

export const GET = authedRoute(
  {
    action: "run.read",
    input: z.object({ after: z.coerce.number().int().min(0).optional() }),
    resource: runOfPath,
  },
  async ({ host, input, request, params, stillAllowed }) => {
    const runId = String(params.id);
    const lastEventId = Number(request.headers.get("last-event-id"));
    let after = Math.max(Number.isFinite(lastEventId) ? lastEventId : 0, input.after ?? 0);
    const store = host.store;
    const wait = await runEventWaiter();
    const live = await runLiveFeed();
    const encoder = new TextEncoder();
    const signal = request.signal;

    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        const send = (text: string) => {
          if (!signal.aborted) controller.enqueue(encoder.encode(text));
        };
        send("retry: 1000\n\n");
        // Streamed tokens: `event: live`, no id (ephemeral: never replayed, Last-Event-ID unchanged).
        const unsubscribe = live?.(runId, (event) => send(`event: live\ndata: ${JSON.stringify(event)}\n\n`));
        let lastWrite = Date.now();
        let lastCheck = Date.now();
        try {
          while (!signal.aborted) {
            if (Date.now() - lastCheck >= RECHECK_MS) {
              lastCheck = Date.now();
              if (!(await stillAllowed())) {
                // Signed out, password changed, removed from the workspace, or the key revoked:
                // say so, and stop (the browser's EventSource reconnects and gets a 401/403).
                send('event: revoked\ndata: {"reason":"Your access to this run ended."}\n\n');
                break;
              }
            }
            const events = await store.listEvents(runId, after, PAGE);
            let ended = false;
            for (const ev of events) {
              const payload = { seq: ev.seq, type: ev.type, data: ev.data, at: ev.createdAt };
              send(`id: ${ev.seq}\ndata: ${JSON.stringify(payload)}\n\n`);
              after = ev.seq;
              if (TERMINAL.has(ev.type)) ended = true;
            }
            if (events.length > 0) lastWrite = Date.now();
            if (events.length === PAGE) continue;
            if (ended) {
              send("event: end\ndata: {}\n\n");
              break;
            }
            if (Date.now() - lastWrite > HEARTBEAT_MS) {
              send(": keep-alive\n\n");
              lastWrite = Date.now();
            }
            await wait(runId, after, signal);
          }
        } catch (error) {
          if (!signal.aborted) console.error(`[switchboard] event stream for run ${runId} failed`, error);
        } finally {
          unsubscribe?.();
          try {
            controller.close();
          } catch {
            // already closed by the client going away
          }
        }
      },
    });

    return new Response(stream, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-cache, no-transform",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  },
);
