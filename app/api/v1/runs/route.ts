// GET /api/v1/runs — the runs list as JSON, same filters as the /runs page, cursor-paginated.
import { z } from "zod";
import { listRuns, RunsFilterSchema } from "@/lib/db/runs-queries";
import { authedRoute } from "@/lib/server/route";

const ListInput = RunsFilterSchema.extend({
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const GET = authedRoute({ action: "run.read", input: ListInput }, async ({ actor, input, db }) => {
  const { cursor, limit, ...filter } = input;
  const page = await listRuns(db, actor.workspaceId, filter, { cursor, limit });
  return { runs: page.items, nextCursor: page.nextCursor };
});
