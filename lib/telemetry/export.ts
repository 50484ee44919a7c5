// Wiring: export each run as a trace when it finishes (when OTEL_EXPORTER_OTLP_ENDPOINT is set).
// attachRunTelemetry(db, notifier) subscribes to the runtime's run events; startRunTelemetryFromEnv
// is what a host's start() calls (lib/host.ts: the web server and `switchboard worker`). Export
// failures are logged, never thrown into a run.

import type { EgressPolicy, RunEventRecord, SecretRedaction } from "@/lib/contracts/ports";
import type { Db } from "../db/client";
import { runWorkspace } from "../db/runs";
import { getRunDetail } from "../db/runs-queries";
import { type EnvSource, readEnv } from "../env";
import { createRunTelemetry, type RunTelemetry } from "./run-trace";

const TERMINAL_EVENTS = new Set(["run.succeeded", "run.failed", "run.cancelled"]);

/** The exporter configured by the environment, or null when OTEL_EXPORTER_OTLP_ENDPOINT is unset. */
export function telemetryFromEnv(source?: EnvSource, egress?: EgressPolicy): RunTelemetry | null {
  const env = readEnv(source);
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  return createRunTelemetry({ endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: env.OTEL_SERVICE_NAME, egress });
}

/** What leaves in a trace is redacted with the run's workspace secrets (the host's redaction). */
export interface TelemetryOptions {
  redaction?: SecretRedaction;
}

function messageOf(error: unknown): string | null {
  if (!error || typeof error !== "object") return typeof error === "string" ? error : null;
  const e = error as { name?: unknown; message?: unknown };
  return typeof e.message === "string" ? (typeof e.name === "string" ? `${e.name}: ${e.message}` : e.message) : null;
}

/** Reads a stored run and exports it as one trace. Returns false when the run does not exist. */
export async function exportStoredRun(
  db: Db,
  telemetry: RunTelemetry,
  runId: string,
  options: TelemetryOptions = {},
): Promise<boolean> {
  const run = await runWorkspace(db, runId);
  if (!run) return false;
  const d = await getRunDetail(db, run.workspaceId, runId);
  if (!d) return false;
  const redaction = options.redaction;
  if (redaction) await redaction.prepare(run.workspaceId);
  const clean = <T>(value: T): T => (redaction ? redaction.redact(run.workspaceId, value) : value);
  telemetry.exportRun(
    clean({ ...d.run, workspaceId: run.workspaceId }),
    d.steps.map((s) =>
      clean({
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
      }),
    ),
    d.approvals.map((a) =>
      clean({
        id: a.id,
        nodeId: a.nodeId,
        title: a.title,
        status: a.status,
        createdAt: a.createdAt,
        decidedAt: a.decidedAt,
        decidedById: a.decidedById,
      }),
    ),
  );
  return true;
}

/** Subscribes to a run event hub; exports every run that ends. Returns the unsubscribe function. */
export function attachRunTelemetry(
  db: Db,
  hub: { subscribeAll(listener: (runId: string, events: RunEventRecord[]) => void): () => void },
  telemetry: RunTelemetry,
  options: TelemetryOptions = {},
): () => void {
  return hub.subscribeAll((runId, events) => {
    if (!events.some((e) => TERMINAL_EVENTS.has(e.type))) return;
    exportStoredRun(db, telemetry, runId, options).catch((error: unknown) =>
      console.error(`[telemetry] exporting run ${runId} failed`, error),
    );
  });
}

export interface RunTelemetryHandle {
  telemetry: RunTelemetry;
  /** Unsubscribes, sends what is buffered and shuts the exporter down. */
  stop(): Promise<void>;
}

const started = new WeakMap<object, RunTelemetryHandle>();

/**
 * Process start-up (the web server's instrumentation and `switchboard worker`): when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set, export every run this process finishes; otherwise null.
 * Idempotent per hub, so a process that starts both paths exports each run once. With `egress`,
 * an endpoint the policy refuses throws EgressDeniedError here (the host logs it).
 */
export function startRunTelemetryFromEnv(
  db: Db,
  hub: Parameters<typeof attachRunTelemetry>[1],
  env?: EnvSource,
  options: TelemetryOptions & { egress?: EgressPolicy } = {},
): RunTelemetryHandle | null {
  const existing = started.get(hub);
  if (existing) return existing;
  const telemetry = telemetryFromEnv(env, options.egress);
  if (!telemetry) return null;
  const unsubscribe = attachRunTelemetry(db, hub, telemetry, { redaction: options.redaction });
  const handle: RunTelemetryHandle = {
    telemetry,
    async stop() {
      if (started.get(hub) !== handle) return;
      started.delete(hub);
      unsubscribe();
      await telemetry.shutdown().catch(() => {});
    },
  };
  started.set(hub, handle);
  return handle;
}
