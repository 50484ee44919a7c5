// POST /api/hooks/test/<token> — the test URL: while the editor listens (two minutes after
// "Listen for a test request") the request is shown in the editor; no run is started.
import { loadSecrets } from "@/lib/auth/secrets";
import { serverContext } from "@/lib/server/context";
import { receiveTestWebhook } from "@/lib/use-cases/triggers/webhooks";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ token: string }> };

async function handle(request: Request, context: Ctx): Promise<Response> {
  const { token } = await context.params;
  const host = await serverContext().host();
  const result = await receiveTestWebhook(host.db, loadSecrets(host.env).SWITCHBOARD_SECRET_KEY, token, request);
  return Response.json(result.body, { status: result.status, headers: { "cache-control": "no-store" } });
}

export const POST = handle;
export const PUT = handle;
