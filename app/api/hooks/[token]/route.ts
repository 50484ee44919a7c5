// POST /api/hooks/<token> — a published workflow's webhook (production URL; no sign-in: the token
// is unguessable, and a signing secret can be required). Answers 202 { runId, status: "queued" }
// at once, or with the run's output when the trigger says `respond: "with_output"`; a redelivery
// (same webhook-id / Idempotency-Key) answers with the first run. 413 past the body limit,
// 401 on a missing, wrong or stale signature, 422 when the body does not fit the workflow's inputs.
import { serverContext } from "@/lib/server/context";
import { receiveWebhook } from "@/lib/use-cases/triggers/webhooks";
import { webhookDeps } from "../deps";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ token: string }> };

async function handle(request: Request, context: Ctx): Promise<Response> {
  const { token } = await context.params;
  const host = await serverContext().host();
  const result = await receiveWebhook(webhookDeps(host), token, request);
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (result.retryAfterSeconds) headers["retry-after"] = String(result.retryAfterSeconds);
  return Response.json(result.body, { status: result.status, headers });
}

export const POST = handle;
export const PUT = handle;
