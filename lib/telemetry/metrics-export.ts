// The process's metrics (lib/telemetry/metrics.ts) pushed over OTLP/HTTP (JSON) with the official
// exporter, @opentelemetry/exporter-metrics-otlp-http, when OTEL_EXPORTER_OTLP_METRICS_ENDPOINT
// (the full URL) or OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/metrics) is set: every
// OTEL_METRIC_EXPORT_INTERVAL ms (default 60 s) and once more on shutdown. Cumulative
// temporality, like the Prometheus text, read from the same reader. The collector's address goes
// through the installation's egress policy, as the trace exporter's does (checked at start:
// EgressDeniedError; and every address it resolves to when a socket connects). Export failures
// are logged, never thrown.
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import type { EgressPolicy } from "@/lib/contracts/ports";
import { checkEgressUrl, guardedLookup } from "@/lib/engine/egress";
import { type EnvSource, readEnv } from "../env";
import { type SwitchboardMetrics, switchboardMetrics } from "./metrics";

export interface MetricsExport {
  /** The URL metrics are posted to. */
  readonly url: string;
  /** Collects and sends now; resolves when the collector answered (or the send failed). */
  flush(): Promise<void>;
  /** Stops the timer, sends a last time and closes the exporter. */
  shutdown(): Promise<void>;
}

export interface MetricsExportOptions {
  /** The full OTLP/HTTP metrics URL, e.g. http://collector:4318/v1/metrics. */
  url: string;
  intervalMs?: number;
  serviceName?: string;
  /** `service.instance.id` (the host passes its lease owner name, `<role>:<host>:<pid>`). */
  instance?: string;
  headers?: Record<string, string>;
  egress?: EgressPolicy;
  metrics?: SwitchboardMetrics;
  log?: (line: string) => void;
}

export function startMetricsExport(options: MetricsExportOptions): MetricsExport {
  const guard = options.egress ? checkEgressUrl(options.url, options.egress) : null;
  const metrics = options.metrics ?? switchboardMetrics();
  const exporter = new OTLPMetricExporter({
    url: options.url,
    headers: options.headers,
    ...(guard ? { httpAgentOptions: { keepAlive: true, lookup: guardedLookup(guard.allowPrivate) } } : {}),
  });
  const resource = resourceFromAttributes({
    "service.name": options.serviceName ?? "switchboard",
    ...(options.instance ? { "service.instance.id": options.instance } : {}),
  });
  let failing = false;
  let sending: Promise<void> = Promise.resolve();
  const send = () => {
    sending = sending.then(async () => {
      try {
        const collected = await metrics.collect();
        await new Promise<void>((resolve) => {
          exporter.export({ ...collected, resource }, (result) => {
            if (result.code !== ExportResultCode.SUCCESS) {
              if (!failing)
                options.log?.(`[metrics] OTLP export to ${options.url} failed: ${result.error?.message ?? "error"}`);
              failing = true;
            } else failing = false;
            resolve();
          });
        });
      } catch (error) {
        options.log?.(`[metrics] OTLP export failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
    return sending;
  };
  const timer = setInterval(send, options.intervalMs ?? 60_000);
  timer.unref?.();
  let closed: Promise<void> | null = null;
  return {
    url: options.url,
    flush: send,
    shutdown() {
      closed ??= (async () => {
        clearInterval(timer);
        await send();
        await exporter.shutdown().catch(() => {});
      })();
      return closed;
    },
  };
}

/** The metrics URL the environment configures, or null. */
export function metricsUrlFromEnv(source?: EnvSource): string | null {
  const env = readEnv(source);
  if (env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT) return env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/metrics`;
  return null;
}

/** Starts the export the environment configures; null when no endpoint is set. Throws EgressDeniedError. */
export function metricsExportFromEnv(
  source: EnvSource | undefined,
  options: Omit<MetricsExportOptions, "url" | "intervalMs" | "serviceName"> = {},
): MetricsExport | null {
  const url = metricsUrlFromEnv(source);
  if (!url) return null;
  const env = readEnv(source);
  return startMetricsExport({
    ...options,
    url,
    intervalMs: env.OTEL_METRIC_EXPORT_INTERVAL,
    serviceName: env.OTEL_SERVICE_NAME,
  });
}
