// OpenTelemetry export of finished runs: one trace per run (root span "workflow.run"), one span
// per step attempt (parented to the run), one span per wait for a person. Model calls follow the
// GenAI semantic conventions: gen_ai.operation.name, gen_ai.provider.name, gen_ai.request.model,
// gen_ai.usage.input_tokens / output_tokens. Sent over OTLP/HTTP (JSON) to
// $OTEL_EXPORTER_OTLP_ENDPOINT/v1/traces with the official @opentelemetry packages.
//
// Spans are built after the fact from the stored rows with their real start/end times, so the
// export never slows a run down and a run is exported the same way whichever process ran it.
// The trace id is derived from the run id (sha256), so a trace can be found from a run id.
import { createHash } from "node:crypto";
import { context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from "@opentelemetry/sdk-trace-base";
import type { EgressPolicy } from "@/lib/contracts/ports";
import { checkEgressUrl, guardedLookup } from "@/lib/engine/egress";

export interface TelemetryRun {
  id: string;
  workspaceId: string;
  workflowId: string;
  workflowName: string;
  version: number;
  status: string;
  trigger: string;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  retryOfRunId: string | null;
}

export interface TelemetryStep {
  id: string;
  nodeId: string;
  nodeType: string;
  visit: number;
  attempt: number;
  status: string;
  model: string | null;
  simulated: boolean;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: Date;
  endedAt: Date | null;
  idempotencyKey: string;
  errorMessage: string | null;
}

export interface TelemetryWait {
  id: string;
  nodeId: string;
  title: string;
  status: string;
  createdAt: Date;
  decidedAt: Date | null;
  decidedById: string | null;
}

export function traceIdForRun(runId: string): string {
  return createHash("sha256").update(`switchboard-run:${runId}`).digest("hex").slice(0, 32);
}

/** "openai:gpt-5-mini" → provider openai, model gpt-5-mini; "simulated" → provider switchboard. */
export function splitModel(model: string): { provider: string; model: string } {
  const i = model.indexOf(":");
  if (i > 0) return { provider: model.slice(0, i), model: model.slice(i + 1) };
  return { provider: model === "simulated" ? "switchboard.simulated" : "unknown", model };
}

export interface RunTelemetry {
  exportRun(run: TelemetryRun, steps: TelemetryStep[], waits?: TelemetryWait[]): void;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export function createRunTelemetry(options: {
  /** OTLP base endpoint, e.g. http://collector:4318 (traces go to <endpoint>/v1/traces) */
  endpoint: string;
  serviceName?: string;
  headers?: Record<string, string>;
  /**
   * The egress policy the exporter's connections go through (the host passes the installation's:
   * SWITCHBOARD_ALLOW_PRIVATE_NETWORK and SWITCHBOARD_EGRESS_ALLOW). The endpoint is checked now
   * (EgressDeniedError) and every address it resolves to when a socket connects.
   */
  egress?: EgressPolicy;
}): RunTelemetry {
  let nextTraceId: string | null = null;
  const random = (bytes: number) => {
    const out = Buffer.alloc(bytes);
    for (let i = 0; i < bytes; i++) out[i] = Math.floor(Math.random() * 256);
    return out.toString("hex");
  };
  const ids: IdGenerator = {
    generateTraceId: () => nextTraceId ?? random(16),
    generateSpanId: () => random(8),
  };
  const url = `${options.endpoint.replace(/\/+$/, "")}/v1/traces`;
  const guard = options.egress ? checkEgressUrl(url, options.egress) : null;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName ?? "switchboard" }),
    idGenerator: ids,
    spanProcessors: [
      new BatchSpanProcessor(
        new OTLPTraceExporter({
          url,
          headers: options.headers,
          ...(guard ? { httpAgentOptions: { keepAlive: true, lookup: guardedLookup(guard.allowPrivate) } } : {}),
        }),
      ),
    ],
  });
  const tracer = provider.getTracer("switchboard.runs");

  return {
    exportRun(run, steps, waits = []) {
      const start = run.startedAt ?? run.createdAt;
      const end =
        run.endedAt ?? new Date(Math.max(start.getTime(), ...steps.map((s) => (s.endedAt ?? s.startedAt).getTime())));
      nextTraceId = traceIdForRun(run.id);
      let root: Span;
      try {
        root = tracer.startSpan(`workflow.run ${run.workflowName}`, {
          kind: SpanKind.INTERNAL,
          startTime: start,
          attributes: {
            "switchboard.run.id": run.id,
            "switchboard.workspace.id": run.workspaceId,
            "switchboard.workflow.id": run.workflowId,
            "switchboard.workflow.name": run.workflowName,
            "switchboard.workflow.version": run.version,
            "switchboard.run.status": run.status,
            "switchboard.run.trigger": run.trigger,
            "switchboard.run.cost_usd": run.costUsd,
            "gen_ai.usage.input_tokens": run.inputTokens,
            "gen_ai.usage.output_tokens": run.outputTokens,
            ...(run.retryOfRunId ? { "switchboard.run.retry_of": run.retryOfRunId } : {}),
          },
        });
      } finally {
        nextTraceId = null;
      }
      if (run.status === "failed") root.setStatus({ code: SpanStatusCode.ERROR, message: "run failed" });
      const parent = trace.setSpan(context.active(), root);
      for (const s of steps) {
        const isModel = Boolean(s.model);
        const split = s.model ? splitModel(s.model) : null;
        const span = tracer.startSpan(
          isModel ? `chat ${split!.model}` : `${s.nodeType} ${s.nodeId}`,
          {
            kind: isModel ? SpanKind.CLIENT : SpanKind.INTERNAL,
            startTime: s.startedAt,
            attributes: {
              "switchboard.step.id": s.id,
              "switchboard.node.id": s.nodeId,
              "switchboard.node.type": s.nodeType,
              "switchboard.step.visit": s.visit,
              "switchboard.step.attempt": s.attempt,
              "switchboard.step.status": s.status,
              "switchboard.step.idempotency_key": s.idempotencyKey,
              "switchboard.step.cost_usd": s.costUsd,
              ...(split
                ? {
                    "gen_ai.operation.name": "chat",
                    "gen_ai.provider.name": split.provider,
                    "gen_ai.system": split.provider,
                    "gen_ai.request.model": split.model,
                    "gen_ai.agent.name": s.nodeId,
                    "gen_ai.usage.input_tokens": s.inputTokens,
                    "gen_ai.usage.output_tokens": s.outputTokens,
                    "switchboard.model.simulated": s.simulated,
                  }
                : {}),
            },
          },
          parent,
        );
        if (s.status === "failed") {
          span.setStatus({ code: SpanStatusCode.ERROR, message: s.errorMessage ?? "step failed" });
          if (s.errorMessage) span.setAttribute("error.type", s.errorMessage.slice(0, 200));
        }
        span.end(s.endedAt ?? end);
      }
      for (const w of waits) {
        const span = tracer.startSpan(
          `wait for person ${w.nodeId}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: w.createdAt,
            attributes: {
              "switchboard.approval.id": w.id,
              "switchboard.node.id": w.nodeId,
              "switchboard.approval.title": w.title,
              "switchboard.approval.status": w.status,
              ...(w.decidedById ? { "switchboard.approval.decided_by": w.decidedById } : {}),
            },
          },
          parent,
        );
        span.end(w.decidedAt ?? end);
      }
      root.end(end);
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
