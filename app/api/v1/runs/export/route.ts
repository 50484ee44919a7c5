// GET /api/v1/runs/export — CSV of every run matching the filters, streamed page by page.
import { exportRunsCsv } from "@/lib/db/runs-queries";
import { API_V1 } from "@/lib/server/api-v1";
import { v1Route } from "@/lib/server/route";

export const dynamic = "force-dynamic";

export const GET = v1Route(API_V1.exportRuns, {}, async ({ actor, input, db, request }) => {
  const rows = exportRunsCsv(db, actor.workspaceId, input);
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (request.signal.aborted) {
        await rows.return(undefined);
        controller.close();
        return;
      }
      const next = await rows.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(next.value));
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="runs-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
});
