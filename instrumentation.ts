// Next.js calls register() once when a server process starts. This is where the web server
// joins the durable runtime: carry on runs a crash left behind, run the reaper and the
// approval-deadline sweeper (so a deadline that passed while the server was down is applied at
// start), roll finished runs up for the dashboard, prune old runs (retention), export finished
// runs over OpenTelemetry when configured, and deliver queued notifications. Several web
// servers may do this at once: runs are protected by leases, notifications by the outbox's row
// claims, rollups by Run.rolledUpAt.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.SWITCHBOARD_RUNNER === "0") return;
  const { getDb } = await import("./lib/db/client");
  const { startProcessRunner } = await import("./lib/runtime/runner");
  const { ensureNotificationWorker } = await import("./lib/approvals/app");
  const { sharedRuntime } = await import("./lib/runtime/engine");
  const { startRunTelemetryFromEnv } = await import("./lib/telemetry/export");
  const db = await getDb();
  // OpenTelemetry: export each run this server finishes when OTEL_EXPORTER_OTLP_ENDPOINT is set.
  if (startRunTelemetryFromEnv(db, sharedRuntime(db).notifier)) console.log("[telemetry] exporting runs over OTLP");
  const runner = startProcessRunner(db, { log: (line) => console.log(`[runner] ${line}`) });
  // First sweep immediately rather than after the first timer tick.
  void runner.sweep().catch((error) => console.error("[runner] start-up sweep failed", error));
  await ensureNotificationWorker(db);
}
