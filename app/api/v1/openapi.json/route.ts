// GET /api/v1/openapi.json — the OpenAPI 3.1 document of this API, generated from the zod schemas
// the routes validate with (lib/server/api-v1.ts). Public: it holds no data.
import { openApiDocument } from "@/lib/server/openapi";

export const dynamic = "force-static";

export function GET(): Response {
  return Response.json(openApiDocument(), { headers: { "cache-control": "public, max-age=300" } });
}
