// GET /api/v1/runs/:id/events — the run's events as server-sent events: the very stream the app
// follows at /api/runs/:id/events (authedRoute: session or API key with runs:read), resumable
// with Last-Event-ID or ?after=<seq>. Described as API_V1.streamRunEvents.
export { GET } from "@/app/api/runs/[id]/events/route";

export const dynamic = "force-dynamic";
