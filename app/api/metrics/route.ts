// GET /api/metrics — this web server's metrics as Prometheus text (lib/telemetry/metrics.ts).
// For an admin (session or admin API key), or a scraper presenting SWITCHBOARD_METRICS_TOKEN as
// `Authorization: Bearer <token>`. Workers serve the same on their health port (`/metrics`).
import { timingSafeEqual } from "node:crypto";
import { serverContext } from "@/lib/server/context";
import { authedRoute } from "@/lib/server/route";
import { PROMETHEUS_CONTENT_TYPE, switchboardMetrics } from "@/lib/telemetry/metrics";

export const dynamic = "force-dynamic";

async function metricsResponse(): Promise<Response> {
  const text = await switchboardMetrics().prometheusText();
  return new Response(text, { headers: { "content-type": PROMETHEUS_CONTENT_TYPE, "cache-control": "no-store" } });
}

function presentsToken(request: Request, token: string | undefined): boolean {
  if (!token) return false;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization")?.trim() ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1] as string);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const forAdmins = authedRoute({ action: "settings.manage" }, () => metricsResponse());

export async function GET(request: Request): Promise<Response> {
  const host = await serverContext()
    .host()
    .catch(() => null);
  if (host && presentsToken(request, host.env.SWITCHBOARD_METRICS_TOKEN)) return metricsResponse();
  return forAdmins(request);
}
