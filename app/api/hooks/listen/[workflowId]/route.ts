// The editor's side of a webhook trigger (signed-in editors of the workflow's workspace):
//   GET  → { productionUrl, testUrl, listening, until, requests }  (polled while listening)
//   POST → starts listening on the test URL for two minutes (a row in the database: the test
//          request may reach any web server)
import { loadSecrets } from "@/lib/auth/secrets";
import { authedRoute } from "@/lib/server/route";
import { listenForTest, testRequests, webhookToken } from "@/lib/use-cases/triggers/webhooks";
import { requireWorkflow } from "@/lib/use-cases/workflows/workflows";
import { publicBaseUrl } from "../../deps";

export const dynamic = "force-dynamic";

function urls(base: string, secret: string, workflowId: string) {
  const token = webhookToken(secret, workflowId);
  const root = base.replace(/\/+$/, "");
  return { productionUrl: `${root}/api/hooks/${token}`, testUrl: `${root}/api/hooks/test/${token}` };
}

export const GET = authedRoute({ action: "workflow.update" }, async ({ actor, db, host, params, request }) => {
  const workflowId = String(params.workflowId);
  await requireWorkflow(db, actor.workspaceId, workflowId);
  const secret = loadSecrets(host.env).SWITCHBOARD_SECRET_KEY;
  return { ...urls(publicBaseUrl(host, request), secret, workflowId), ...(await testRequests(db, workflowId)) };
});

export const POST = authedRoute({ action: "workflow.update" }, async ({ actor, db, host, params, request }) => {
  const workflowId = String(params.workflowId);
  await requireWorkflow(db, actor.workspaceId, workflowId);
  const secret = loadSecrets(host.env).SWITCHBOARD_SECRET_KEY;
  await listenForTest(db, { id: workflowId, workspaceId: actor.workspaceId });
  return { ...urls(publicBaseUrl(host, request), secret, workflowId), ...(await testRequests(db, workflowId)) };
});
