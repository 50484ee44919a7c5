// The REST API v1, described once: every operation's method, path, action (so its API-key scope),
// input schema and responses. Route handlers under app/api/v1 take their config from here
// (`v1Route(API_V1.cancelRun, …)`), and the OpenAPI document (./openapi.ts, served at
// /api/v1/openapi.json) is generated from the same zod schemas — so the two cannot drift, and a
// test checks that every route file has an operation and every operation a route file.
import { z } from "zod";
import type { Action } from "@/lib/auth/policy";
import { userText } from "@/lib/contracts/text";
import { RUN_STATUSES, RUN_TRIGGERS, RunsFilterSchema } from "@/lib/db/runs-queries";

/** 1 MiB for every route; workflow import takes up to 10 MiB. */
export const IMPORT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ApiResponse {
  description: string;
  /** the JSON body; omitted: described by contentType only */
  schema?: z.ZodType;
  /** default application/json */
  contentType?: string;
}

export interface ApiOperation {
  operationId: string;
  method: "get" | "post";
  /** OpenAPI path under /api/v1, e.g. /runs/{id}/cancel */
  path: string;
  tag: "Runs" | "Approvals" | "Workflows" | "Meta";
  summary: string;
  description?: string;
  /** the policy action (and so the API-key scope); undefined: public, no authentication */
  action?: Action;
  /** query string (GET) or JSON body (POST) */
  input?: z.ZodType;
  headers?: { name: string; description: string; required?: boolean }[];
  maxBodyBytes?: number;
  responses: Record<string, ApiResponse>;
}

// ---------------------------------------------------------------- shared schemas

export const ProblemSchema = z
  .object({
    type: z.string().describe("urn:switchboard:problem:<code>"),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe("What went wrong, safe to show"),
    code: z.string().describe("not_found:run, invalid:input, forbidden:apikey, rate_limited, too_large, …"),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).describe("One entry per bad field"),
    error: z
      .object({ code: z.string(), message: z.string(), fieldErrors: z.array(z.unknown()).optional() })
      .describe("The error shape before problem+json (kept for existing clients)"),
  })
  .meta({ id: "Problem" });

const Id = z.string().min(1).max(300);
const IsoDate = z.string().describe("ISO 8601 date-time");

export const RunSummarySchema = z
  .looseObject({
    id: z.string(),
    workflowId: z.string(),
    workflowName: z.string(),
    version: z
      .number()
      .int()
      .describe(
        "The published version the run used; negative (-1, -2, …): a snapshot of the draft run from the editor",
      ),
    trigger: z.enum(RUN_TRIGGERS),
    status: z.enum(RUN_STATUSES),
    createdAt: IsoDate,
    startedAt: IsoDate.nullable(),
    endedAt: IsoDate.nullable(),
    durationMs: z.number().nullable(),
    inputTokens: z.number(),
    outputTokens: z.number(),
    costUsd: z.number(),
    stepCount: z.number(),
    waitingOnPerson: z.boolean(),
    startedById: z.string().nullable(),
    retryOfRunId: z.string().nullable(),
  })
  .meta({ id: "RunSummary" });

export const StartRunInput = z.object({
  workflowId: Id.describe("The workflow's id or name"),
  version: z
    .union([z.number().int().positive(), z.literal("latest")])
    .optional()
    .describe("A published version; default: the latest"),
  input: z.unknown().optional().describe("The run input, checked against the workflow's input schema"),
});

export const StartedRunSchema = z
  .object({
    runId: z.string(),
    status: z.enum(RUN_STATUSES),
    version: z.number().int(),
    replayed: z.boolean().optional().describe("true: an earlier request with this Idempotency-Key started the run"),
  })
  .meta({ id: "StartedRun" });

export const ApprovalSchema = z
  .looseObject({
    id: z.string(),
    kind: z.string(),
    status: z.string(),
    title: z.string(),
    runId: z.string(),
    nodeId: z.string(),
    workflow: z.object({ id: z.string(), name: z.string() }),
    createdAt: IsoDate,
    deadlineAt: IsoDate.nullable(),
    decidedAt: IsoDate.nullable(),
  })
  .meta({ id: "Approval" });

export const WorkflowSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    createdAt: IsoDate,
    updatedAt: IsoDate,
    updatedBy: z.string().nullable(),
    draftRevision: z.number().int(),
    latestVersion: z.number().int().nullable().describe("The latest published version; null: never published"),
    nodeCount: z.number().int(),
  })
  .meta({ id: "WorkflowSummary" });

const WorkflowDocument = z
  .looseObject({ format: z.string(), name: z.string(), nodes: z.array(z.unknown()), edges: z.array(z.unknown()) })
  .describe("A switchboard.workflow/v1 document (docs/workflow-format.md)")
  .meta({ id: "WorkflowDocument" });

const json = (schema: z.ZodType, description = "OK"): ApiResponse => ({ description, schema });

// ---------------------------------------------------------------- the operations

export const ListRunsInput = RunsFilterSchema.extend({
  cursor: z.string().max(300).optional().describe("nextCursor of the previous page"),
  limit: z.coerce.number().int().min(1).max(500).optional(),
});

export const API_V1 = {
  listRuns: {
    operationId: "listRuns",
    method: "get",
    path: "/runs",
    tag: "Runs",
    summary: "List runs (newest first), with the history filters",
    description:
      "Filters: status and trigger take comma-separated lists (trigger: webhook,schedule,api,chat,manual,cli,…).",
    action: "run.read",
    input: ListRunsInput,
    responses: {
      200: json(z.object({ runs: z.array(RunSummarySchema), nextCursor: z.string().nullable() })),
    },
  },
  startRun: {
    operationId: "startRun",
    method: "post",
    path: "/runs",
    tag: "Runs",
    summary: "Start a run of a workflow's published version",
    description:
      "With an Idempotency-Key header, repeating the same request returns the first run (200, replayed: true); the same key with a different request is refused (409). Over a limit on starting runs (per API key a minute, or the workspace's queued + running runs) the answer is 429 with Retry-After, naming the limit.",
    action: "run.start",
    input: StartRunInput,
    headers: [
      {
        name: "Idempotency-Key",
        description: "Any string up to 200 characters; same key + same body → same run",
      },
    ],
    responses: {
      201: json(StartedRunSchema, "Started"),
      200: json(StartedRunSchema, "Replayed: the run an earlier request with this Idempotency-Key started"),
    },
  },
  exportRuns: {
    operationId: "exportRuns",
    method: "get",
    path: "/runs/export",
    tag: "Runs",
    summary: "Every run matching the filters as CSV (streamed)",
    action: "run.read",
    input: RunsFilterSchema,
    responses: { 200: { description: "CSV", contentType: "text/csv" } },
  },
  getRun: {
    operationId: "getRun",
    method: "get",
    path: "/runs/{id}",
    tag: "Runs",
    summary: "One run with its steps (payloads truncated), approvals and conversation",
    action: "run.read",
    responses: { 200: json(z.looseObject({ run: z.looseObject({ id: z.string(), status: z.string() }) })) },
  },
  getRunPayload: {
    operationId: "getRunPayload",
    method: "get",
    path: "/runs/{id}/payload",
    tag: "Runs",
    summary: "The full JSON of a run's or step's input, output or error (a download)",
    action: "run.read",
    input: z.object({ field: z.enum(["input", "output", "error"]), step: z.string().max(200).optional() }),
    responses: { 200: { description: "The JSON value", schema: z.unknown() } },
  },
  streamRunEvents: {
    operationId: "streamRunEvents",
    method: "get",
    path: "/runs/{id}/events",
    tag: "Runs",
    summary: "The run's events as server-sent events, resumable",
    description:
      "Each event's `id:` is its sequence number. Resume with the Last-Event-ID header or `?after=<seq>`. Ends with `event: end` after run.succeeded/failed/cancelled. `event: live` messages (streamed model tokens) have no id and are not replayed.",
    action: "run.read",
    input: z.object({ after: z.coerce.number().int().min(0).optional().describe("Send events after this seq") }),
    headers: [{ name: "Last-Event-ID", description: "The last seq received (EventSource sends it on reconnect)" }],
    responses: { 200: { description: "text/event-stream", contentType: "text/event-stream" } },
  },
  cancelRun: {
    operationId: "cancelRun",
    method: "post",
    path: "/runs/{id}/cancel",
    tag: "Runs",
    summary: "Cancel an unfinished run (409 when it already ended)",
    action: "run.cancel",
    responses: { 200: json(z.object({ runId: z.string(), status: z.enum(RUN_STATUSES) })) },
  },
  retryRun: {
    operationId: "retryRun",
    method: "post",
    path: "/runs/{id}/retry",
    tag: "Runs",
    summary: "Retry a failed run from its failed steps (a new run reusing the completed steps)",
    action: "run.retry",
    responses: { 201: json(z.object({ runId: z.string(), reused: z.number().int() }), "Started") },
  },
  rerunRun: {
    operationId: "rerunRun",
    method: "post",
    path: "/runs/{id}/rerun",
    tag: "Runs",
    summary: "Run the same input again, on the same or the latest published version",
    action: "run.start",
    input: z.object({ version: z.enum(["same", "latest"]).default("same") }),
    responses: { 201: json(z.object({ runId: z.string() }), "Started") },
  },
  listApprovals: {
    operationId: "listApprovals",
    method: "get",
    path: "/approvals",
    tag: "Approvals",
    summary: "The inbox: approvals waiting for the caller, decided, or all (admins)",
    action: "approval.read",
    input: z.object({
      tab: z.enum(["waiting", "decided", "all"]).default("waiting"),
      workflowId: z.string().min(1).max(100).optional(),
      minAgeMs: z.coerce.number().int().nonnegative().optional(),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    responses: { 200: json(z.object({ approvals: z.array(ApprovalSchema) })) },
  },
  getApproval: {
    operationId: "getApproval",
    method: "get",
    path: "/approvals/{id}",
    tag: "Approvals",
    summary: "One approval with its payload and the run's trail",
    action: "approval.read",
    responses: { 200: json(z.object({ approval: ApprovalSchema })) },
  },
  decideApproval: {
    operationId: "decideApproval",
    method: "post",
    path: "/approvals/{id}/decision",
    tag: "Approvals",
    summary: "Approve or reject (409 when already decided, naming by whom)",
    action: "approval.decide",
    input: z.object({
      decision: z.enum(["approve", "reject"]),
      reason: userText().max(2000).optional().describe("Required to reject"),
      comment: userText().max(4000).optional(),
      data: z.unknown().optional().describe("The edited payload, when the approval allows edits"),
    }),
    responses: {
      200: json(
        z.object({
          approval: z.object({
            id: z.string(),
            status: z.string(),
            runId: z.string(),
            decidedBy: z.string().nullable().optional(),
          }),
        }),
      ),
    },
  },
  listWorkflows: {
    operationId: "listWorkflows",
    method: "get",
    path: "/workflows",
    tag: "Workflows",
    summary: "List workflows",
    action: "workflow.read",
    input: z.object({
      q: z.string().max(200).optional().describe("Text in the name or description"),
      limit: z.coerce.number().int().min(1).max(500).default(100),
    }),
    responses: { 200: json(z.object({ workflows: z.array(WorkflowSummarySchema) })) },
  },
  getWorkflow: {
    operationId: "getWorkflow",
    method: "get",
    path: "/workflows/{id}",
    tag: "Workflows",
    summary: "One workflow with its draft document",
    action: "workflow.read",
    responses: { 200: json(z.object({ workflow: WorkflowSummarySchema.extend({ draft: WorkflowDocument }) })) },
  },
  exportWorkflow: {
    operationId: "exportWorkflow",
    method: "get",
    path: "/workflows/{id}/export",
    tag: "Workflows",
    summary: "The workflow document to import elsewhere (secrets redacted; credentials by name)",
    action: "workflow.export",
    input: z.object({
      version: z.coerce.number().int().min(1).optional().describe("A published version; default: the draft"),
    }),
    responses: { 200: json(WorkflowDocument) },
  },
  importWorkflow: {
    operationId: "importWorkflow",
    method: "post",
    path: "/workflows/import",
    tag: "Workflows",
    summary: "Import a workflow document as a new workflow; optionally publish it",
    description: "Bodies up to 10 MiB. Every problem of the document is listed in `errors`; nothing is saved then.",
    action: "workflow.import",
    input: z.object({
      document: z.unknown().describe("A switchboard.workflow/v1 document"),
      publish: z.boolean().default(false),
    }),
    maxBodyBytes: IMPORT_MAX_BODY_BYTES,
    responses: {
      201: json(
        z.object({ id: z.string(), name: z.string(), version: z.number().int().nullable() }),
        "Imported (version: the published version, or null)",
      ),
    },
  },
  publishWorkflow: {
    operationId: "publishWorkflow",
    method: "post",
    path: "/workflows/{id}/publish",
    tag: "Workflows",
    summary: "Publish the draft as a new immutable version (the same version when unchanged)",
    action: "workflow.publish",
    input: z.object({ note: userText().max(500).optional() }),
    responses: {
      200: json(z.object({ id: z.string(), version: z.number().int(), created: z.boolean() })),
    },
  },
  chatWorkflow: {
    operationId: "chatWorkflow",
    method: "post",
    path: "/workflows/{id}/chat",
    tag: "Workflows",
    summary: "One chat turn with a workflow whose published trigger is chat, the reply streamed (SSE)",
    description:
      "Starts a run of the latest published version (trigger `chat`) with `{ messages }` as input and answers with server-sent events: `event: run` `{ runId, version }`, then `event: delta` `{ nodeId, text }` for each piece the model streams (when the run executes in the web server that answers), then `event: reply` `{ runId, status, reply, output, error, waitingOnPerson }`. Send the whole conversation each turn (the newest message last). 409 when the published trigger is not chat.",
    action: "run.start",
    input: z.object({
      messages: z
        .array(z.object({ role: z.enum(["user", "assistant"]), content: userText().max(20_000) }).strict())
        .min(1)
        .max(200)
        .describe("The conversation so far, the newest message last"),
    }),
    responses: { 200: { description: "text/event-stream", contentType: "text/event-stream" } },
  },
  openapi: {
    operationId: "getOpenApi",
    method: "get",
    path: "/openapi.json",
    tag: "Meta",
    summary: "This document (OpenAPI 3.1); no authentication",
    responses: { 200: json(z.looseObject({ openapi: z.string() })) },
  },
} as const satisfies Record<string, ApiOperation>;

export type ApiOperationName = keyof typeof API_V1;
