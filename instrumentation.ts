// Next.js calls register() once when a server process starts. This is where the web server
// creates its host (lib/host.ts: data directory, migrations, the demo seed on an empty database,
// the engine) and starts its background work: carry on runs a crash left behind, the reaper and
// the approval-deadline sweeper (so a deadline that passed while the server was down is applied
// at start), dashboard rollup and retention, OTLP export of finished runs when configured, and
// notification delivery. Nothing else starts background work; pages and actions only use the
// host. Several web servers may do this at once: runs are protected by leases, notifications by
// the outbox's row claims, rollups by Run.rolledUpAt.
export async function register(): Promise<void> {
  // Next sets NEXT_RUNTIME; it must be tested inline here so the edge build drops the Node-only
  // imports below (the one environment read outside lib/env.ts in the server's code).
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { getHost, webBackground } = await import("./lib/host");
  const host = await getHost();
  await host.start(webBackground(host.env));
}
