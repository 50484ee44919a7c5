// A2A's JSON-RPC binding on web-standard Request/Response (the SDK ships an Express router; this
// is the same wire without Express, for Next route handlers and plain node:http): one POST, a
// JSON answer, or Server-Sent Events for message/stream and task resubscription.
import { formatSSEErrorEvent, formatSSEEvent, SSE_HEADERS } from "@a2a-js/sdk";
import {
  type A2ARequestHandler,
  JsonRpcTransportHandler,
  ServerCallContext,
  type User,
  validateVersion,
} from "@a2a-js/sdk/server";

/** Largest JSON-RPC request body read (bytes). */
const MAX_BODY_BYTES = 1024 * 1024;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", "cache-control": "no-store" },
  });

async function readBody(request: Request): Promise<unknown> {
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw Object.assign(new Error("too large"), { status: 413 });
  return JSON.parse(text);
}

/** Serves one JSON-RPC request of the A2A protocol with `handler`. */
export async function handleA2aJsonRpc(
  request: Request,
  handler: A2ARequestHandler,
  options: { user?: User; state?: Map<string, unknown> } = {},
): Promise<Response> {
  if (request.method !== "POST") return json({ error: "Use POST for A2A JSON-RPC." }, 405);
  const type = request.headers.get("content-type") ?? "";
  if (!/\bjson\b/i.test(type))
    return json(
      { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Content-Type must be application/json." } },
      415,
    );
  let body: { id?: unknown } & Record<string, unknown>;
  try {
    body = (await readBody(request)) as typeof body;
  } catch (error) {
    if ((error as { status?: number }).status === 413) return json({ error: "The request is too large." }, 413);
    return json({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "The request is not valid JSON." } });
  }
  const id = (body?.id as string | number | null | undefined) ?? null;
  const context = new ServerCallContext({
    user: options.user,
    requestedVersion: request.headers.get("a2a-version") ?? undefined,
    state: options.state,
  });
  try {
    validateVersion(context.requestedVersion, await handler.getAgentCard(), "JSONRPC");
    const result = await new JsonRpcTransportHandler(handler).handle(body, context);
    if (!result || typeof (result as AsyncGenerator)[Symbol.asyncIterator] !== "function") return json(result);
    const iterator = (result as AsyncGenerator<unknown>)[Symbol.asyncIterator]();
    let first: IteratorResult<unknown>;
    try {
      first = await iterator.next();
    } catch (error) {
      return json({ jsonrpc: "2.0", id, error: JsonRpcTransportHandler.mapToJSONRPCError(error) });
    }
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          if (!first.done) controller.enqueue(encoder.encode(formatSSEEvent(first.value)));
          for (;;) {
            const next = await iterator.next();
            if (next.done) break;
            controller.enqueue(encoder.encode(formatSSEEvent(next.value)));
          }
        } catch (error) {
          const payload = { jsonrpc: "2.0", id, error: JsonRpcTransportHandler.mapToJSONRPCError(error) };
          controller.enqueue(encoder.encode(formatSSEErrorEvent(payload)));
        } finally {
          controller.close();
        }
      },
      async cancel() {
        await iterator.return?.(undefined);
      },
    });
    return new Response(stream, { headers: { ...SSE_HEADERS } });
  } catch (error) {
    const mapped = JsonRpcTransportHandler.mapToJSONRPCError(error);
    return json({ jsonrpc: "2.0", id, error: mapped }, mapped.code === -32603 ? 500 : 200);
  }
}
