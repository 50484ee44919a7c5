// GET /api/v1/workflows/:id/export[?version=<n>] — the document to import elsewhere (secrets redacted).
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";
import { exportWorkflowRedacted } from "@/lib/use-cases/workflows";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.exportWorkflow, {}, ({ actor, db, host, input, params }) =>
  exportWorkflowRedacted({ db, redaction: host.platform.redaction }, actor, String(params.id), input.version),
);
