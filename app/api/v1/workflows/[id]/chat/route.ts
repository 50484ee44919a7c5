// POST /api/v1/workflows/:id/chat { "messages": [{ "role": "user", "content": "Hi" }] } — one chat
// turn with a workflow whose published trigger is `chat`, answered as server-sent events:
//   event: run    { runId, version }
//   event: delta  { nodeId, text }      each piece the model streams (runs executing in this server)
//   event: reply  { runId, status, reply, output, error, waitingOnPerson }
// Refusals before the run starts (401/403/404/409/429) are problem+json like every route. If the
// client goes away the stream stops; the run goes on. See docs/triggers.md (Chat).
import { toAppError } from "@/lib/contracts/app-errors";
import { API_V1 } from "@/lib/server/api-v1";
import { loadWorkflowOfPath } from "@/lib/server/resources";
import { problemResponse, v1Route } from "@/lib/server/route";
import { startCallerOf } from "@/lib/use-cases/runs/start";
import { chatTurn } from "@/lib/use-cases/triggers/chat";

export const dynamic = "force-dynamic";

export const POST = v1Route(
  API_V1.chatWorkflow,
  { resource: loadWorkflowOfPath },
  async ({ actor, host, input, params, request }) => {
    const encoder = new TextEncoder();
    const signal = request.signal;
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    const send = (event: string, data: unknown) => {
      if (!signal.aborted) controller.enqueue(encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`));
    };
    let started: (value: Response) => void = () => {};
    const response = new Promise<Response>((resolve) => {
      started = resolve;
    });
    const sse = () =>
      new Response(stream, {
        headers: {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-cache, no-transform",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        },
      });
    // The SSE response is sent once the run has started; a refusal before that is a problem+json.
    const turn = chatTurn(
      host,
      startCallerOf(actor),
      { workflowId: String(params.id), messages: input.messages },
      {
        signal,
        onStarted: (run) => {
          started(sse());
          send("run", run);
        },
        onDelta: (piece) => send("delta", piece),
      },
    );
    turn.then(
      (result) => {
        send("reply", result);
        controller.close();
      },
      (error: unknown) => {
        started(problemResponse(error));
        try {
          send("error", { message: toAppError(error).message });
          controller.close();
        } catch {
          // the stream was never sent
        }
      },
    );
    return response;
  },
);
