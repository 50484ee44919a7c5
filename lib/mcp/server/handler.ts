// /api/mcp: Switchboard as an MCP server (Streamable HTTP, the official v2 server SDK's
// web-standard handler). Each published workflow whose editor offered it as an MCP tool is one
// tool: its name from the workflow's name, its description, its input schema. A call starts a
// run of the published version and answers with the run's output when it ends (progress
// notifications while it runs), or with the run id and a link when it waits for a person.
//
// Before the SDK sees a request: the Host header must name this installation (DNS rebinding), a
// browser's Origin must be its own, and the caller must present an API key with the "mcp" scope.
// Listing needs any role; calling needs a role that may start runs.
//
// A caller that goes away while its call's run is still going (the HTTP request is closed, or the
// request is cancelled) cancels that run: the call was its only reader. A call that already
// answered — the run ended, waits for a person, or outlived the wait — leaves the run alone.
import {
  createMcpHandler,
  fromJsonSchema,
  hostHeaderValidationResponse,
  McpServer,
  originValidationResponse,
} from "@modelcontextprotocol/server";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { type ExposedWorkflow, listExposedWorkflows } from "@/lib/db/interop";
import type { Env } from "@/lib/env";
import {
  allowedHostnames,
  authenticateCaller,
  type Caller,
  followRun,
  type InteropRunDeps,
  isSettled,
  publicBaseUrl,
  type RunSnapshot,
  startOfferedRun,
} from "@/lib/use-cases/interop";
import { cancelRun } from "@/lib/use-cases/runs";

export interface McpEndpointDeps extends InteropRunDeps {
  db: Db;
  env: Pick<Env, "SWITCHBOARD_PUBLIC_URL" | "NEXTAUTH_URL" | "PORT">;
  /** How long a call waits for its run before answering with the run id (default 10 minutes). */
  maxWaitMs?: number;
}

const MAX_TEXT = 256 * 1024;

/** Tool names: the workflow's name in MCP's alphabet, unique in the workspace (older workflows keep the plain name). */
export function toolNamesFor(workflows: readonly ExposedWorkflow[]): Map<string, ExposedWorkflow> {
  const out = new Map<string, ExposedWorkflow>();
  for (const wf of workflows) {
    const base =
      wf.name
        .normalize("NFKD")
        .replace(/[^A-Za-z0-9_-]+/g, "_")
        .replace(/^_+|_+$/g, "")
        .toLowerCase()
        .slice(0, 56) || "workflow";
    let name = base;
    for (let i = 2; out.has(name); i++) name = `${base}_${i}`;
    out.set(name, wf);
  }
  return out;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The tool's input schema: the workflow's, when it describes an object; else `{ input }` wraps it. */
function inputSchemaOf(wf: ExposedWorkflow): { schema: Json; wrapped: boolean } {
  const doc = isObject(wf.document) ? wf.document : {};
  const input = isObject(doc.input) ? doc.input : null;
  if (!input) return { schema: { type: "object", properties: {}, additionalProperties: true }, wrapped: false };
  const type = input.type;
  if (type === "object" || (type === undefined && isObject(input.properties))) {
    const { $schema: _drop, ...rest } = input;
    return { schema: { type: "object", ...rest }, wrapped: false };
  }
  return { schema: { type: "object", properties: { input }, required: ["input"] }, wrapped: true };
}

function text(value: unknown): string {
  const s = typeof value === "string" ? value : JSON.stringify(value ?? null, null, 2);
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s;
}

function answer(snap: RunSnapshot, base: string) {
  const url = `${base}/runs/${snap.runId}`;
  if (snap.status === "succeeded")
    return {
      content: [{ type: "text" as const, text: text(snap.output) }],
      structuredContent: { runId: snap.runId, status: snap.status, output: snap.output ?? null },
    };
  if (snap.status === "failed" || snap.status === "cancelled")
    return {
      isError: true,
      content: [
        {
          type: "text" as const,
          text: `The run ${snap.status === "failed" ? "failed" : "was cancelled"}: ${snap.error?.message ?? "no reason given"} (${url})`,
        },
      ],
      structuredContent: { runId: snap.runId, status: snap.status, error: snap.error?.message ?? null, url },
    };
  const why = snap.status === "waiting" ? "waits for a person" : "is still running";
  return {
    content: [{ type: "text" as const, text: `The run ${snap.runId} ${why}. Follow it at ${url}` }],
    structuredContent: { runId: snap.runId, status: snap.status, url },
  };
}

function buildServer(
  deps: McpEndpointDeps,
  caller: Caller,
  workflows: ExposedWorkflow[],
  gone: AbortSignal | undefined,
): McpServer {
  const server = new McpServer({ name: "switchboard", version: "1.0.0" });
  const base = publicBaseUrl(deps.env);
  for (const [name, wf] of toolNamesFor(workflows)) {
    const { schema, wrapped } = inputSchemaOf(wf);
    server.registerTool(
      name,
      {
        title: wf.name,
        description: (wf.description || `Runs the Switchboard workflow “${wf.name}”.`).slice(0, 4000),
        inputSchema: fromJsonSchema(schema as never),
      },
      async (args: unknown, ctx) => {
        const input = wrapped && isObject(args) ? args.input : args;
        let runId: string;
        try {
          ({ runId } = await startOfferedRun(
            deps,
            caller.actor,
            { ...wf, workspaceId: caller.actor.workspaceId },
            input,
            "mcp",
          ));
        } catch (error) {
          if (error instanceof AppError)
            return { isError: true, content: [{ type: "text" as const, text: error.message }] };
          throw error;
        }
        const token = ctx.mcpReq._meta?.progressToken;
        const signal = gone ? AbortSignal.any([ctx.mcpReq.signal, gone]) : ctx.mcpReq.signal;
        const snap = await followRun(deps, runId, {
          signal,
          maxWaitMs: deps.maxWaitMs,
          onProgress:
            token === undefined
              ? undefined
              : (s) =>
                  void ctx.mcpReq
                    .notify({
                      method: "notifications/progress",
                      params: {
                        progressToken: token,
                        progress: s.stepCount,
                        message: `Run ${s.runId}: ${s.stepCount} steps`,
                      },
                    })
                    .catch(() => {}),
        });
        if (signal.aborted && !isSettled(snap)) {
          await cancelRun(deps, caller.actor, runId).catch(() => {});
          return {
            isError: true,
            content: [{ type: "text" as const, text: "The caller went away; the run was cancelled." }],
          };
        }
        return answer(snap, base);
      },
    );
  }
  return server;
}

function errorResponse(error: AppError): Response {
  const headers: Record<string, string> = { "content-type": "application/json", "cache-control": "no-store" };
  if (error.status === 401) headers["www-authenticate"] = 'Bearer realm="switchboard"';
  return new Response(JSON.stringify({ error: error.toJSON() }), { status: error.status, headers });
}

/** The route handler of /api/mcp (POST, GET, DELETE). */
export function createMcpEndpoint(getDeps: () => Promise<McpEndpointDeps>): (request: Request) => Promise<Response> {
  const callers = new WeakMap<
    object,
    { caller: Caller; workflows: ExposedWorkflow[]; deps: McpEndpointDeps; gone: AbortSignal }
  >();
  const handler = createMcpHandler(
    ({ authInfo }) => {
      const found = authInfo?.extra ? callers.get(authInfo.extra) : undefined;
      if (!found) throw new Error("internal: an MCP request reached the server without its caller");
      return buildServer(found.deps, found.caller, found.workflows, found.gone);
    },
    { legacy: "stateless", maxRequestBodySize: 1024 * 1024 },
  );
  return async (request) => {
    const deps = await getDeps();
    const hosts = allowedHostnames(deps.env);
    const refused = hostHeaderValidationResponse(request, hosts) ?? originValidationResponse(request, hosts);
    if (refused) return refused;
    let caller: Caller;
    try {
      caller = await authenticateCaller(deps.db, request, "mcp");
    } catch (error) {
      if (error instanceof AppError) return errorResponse(error);
      throw error;
    }
    const workflows = await listExposedWorkflows(deps.db, caller.actor.workspaceId, "mcp");
    const extra = { key: caller.keyId };
    callers.set(extra, { caller, workflows, deps, gone: request.signal });
    return handler.fetch(request, {
      authInfo: { token: "api-key", clientId: caller.keyId, scopes: ["mcp"], extra },
    });
  };
}
