// Wiring: export each run as a trace when it finishes (when OTEL_EXPORTER_OTLP_ENDPOINT is set).
// attachRunTelemetry(db, notifier) subscribes to the runtime's run events; the lead wires it in
// the runtime (see docs/runs-and-dashboard.md). Export failures are logged, never thrown into a run.
import type { Db } from "@/lib/db/client";
import { getRunDetail } from "@/lib/db/runs-queries";
import type { RunEventRecord } from "@/lib/engine/ports";
import { readEnv } from "@/lib/env";
import { createRunTelemetry, type RunTelemetry } from "./run-trace";

const TERMINAL_EVENTS = new Set(["run.succeeded", "run.failed", "run.cancelled"]);

/** The exporter configured by the environment, or null when OTEL_EXPORTER_OTLP_ENDPOINT is unset. */
export function telemetryFromEnv(env: Record<string, string | undefined> = process.env): RunTelemetry | null {
  const endpoint = readEnv(env).OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  return createRunTelemetry({ endpoint, serviceName: env.OTEL_SERVICE_NAME ?? "switchboard" });
}

function messageOf(error: unknown): string | null {
  if (!error || typeof error !== "object") return typeof error === "string" ? error : null;
  const e = error as { name?: unknown; message?: unknown };
  return typeof e.message === "string" ? (typeof e.name === "string" ? `${e.name}: ${e.message}` : e.message) : null;
}

/** Reads a stored run and exports it as one trace. Returns false when the run does not exist. */
export async function exportStoredRun(db: Db, telemetry: RunTelemetry, runId: string): Promise<boolean> {
  const run = await db.prisma.run.findUnique({ where: { id: runId }, select: { workspaceId: true } });
  if (!run) return false;
  const d = await getRunDetail(db, run.workspaceId, runId);
  if (!d) return false;
  telemetry.exportRun(
    { ...d.run, workspaceId: run.workspaceId },
    d.steps.map((s) => ({
      id: s.id,
      nodeId: s.nodeId,
      nodeType: s.nodeType,
      visit: s.visit,
      attempt: s.attempt,
      status: s.status,
      model: s.model,
      simulated: s.simulated,
      inputTokens: s.inputTokens,
      outputTokens: s.outputTokens,
      costUsd: s.costUsd,
      startedAt: s.startedAt,
      endedAt: s.endedAt,
      idempotencyKey: s.idempotencyKey,
      errorMessage: s.error.value ? messageOf(s.error.value) : s.error.truncated ? "error (truncated)" : null,
    })),
    d.approvals.map((a) => ({
      id: a.id,
      nodeId: a.nodeId,
      title: a.title,
      status: a.status,
      createdAt: a.createdAt,
      decidedAt: a.decidedAt,
      decidedById: a.decidedById,
    })),
  );
  return true;
}

/** Subscribes to a run event hub; exports every run that ends. Returns the unsubscribe function. */
export function attachRunTelemetry(
  db: Db,
  hub: { subscribeAll(listener: (runId: string, events: RunEventRecord[]) => void): () => void },
  telemetry: RunTelemetry,
): () => void {
  return hub.subscribeAll((runId, events) => {
    if (!events.some((e) => TERMINAL_EVENTS.has(e.type))) return;
    exportStoredRun(db, telemetry, runId).catch((error: unknown) =>
      console.error(`[telemetry] exporting run ${runId} failed`, error),
    );
  });
}
