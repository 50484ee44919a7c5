// GET /api/health — probes for load balancers and orchestrators, no sign-in.
//   /api/health?probe=live   200 while the server process answers (never touches the database)
//   /api/health              200 when ready: the database is reachable, every migration of this
//                            version is applied and (PostgreSQL) the run queue is installed; else 503
// The body says which check failed in words that name no host or credential.
import { databaseHealth, isReady } from "@/lib/db/health";
import { serverContext } from "@/lib/server/context";

export const dynamic = "force-dynamic";

const headers = { "cache-control": "no-store" };

export async function GET(request: Request): Promise<Response> {
  if (new URL(request.url).searchParams.get("probe") === "live") return Response.json({ live: true }, { headers });
  try {
    const host = await serverContext().host();
    const database = await databaseHealth(host.db);
    const ready = isReady(database);
    return Response.json(
      { live: true, ready, role: host.role, execution: host.execution, database },
      { status: ready ? 200 : 503, headers },
    );
  } catch {
    return Response.json(
      { live: true, ready: false, database: { problem: "the server could not open its database" } },
      { status: 503, headers },
    );
  }
}
