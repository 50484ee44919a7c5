// The OpenAPI 3.1 document of the REST API v1, generated from the operations and their zod
// schemas (./api-v1.ts) with zod's own JSON Schema output (draft 2020-12, which OpenAPI 3.1
// uses). Served at /api/v1/openapi.json and rendered by the in-app reference page.
import { z } from "zod";
import { type ApiKeyScope, scopesForAction } from "@/lib/auth/scopes";
import { API_V1, type ApiOperation, ProblemSchema } from "./api-v1";

type JsonSchema = Record<string, unknown>;

type Override = NonNullable<Parameters<typeof z.toJSONSchema>[1]>["override"];

/**
 * Dates become `string` / `date-time`; a `z.preprocess(fn, target)` field (the query-string
 * helpers) is described by its target schema instead of "anything".
 */
const override: Override = (ctx) => {
  const def = ctx.zodSchema._zod.def as { type: string; in?: z.ZodType; out?: z.ZodType };
  if (def.type === "date") {
    ctx.jsonSchema.type = "string";
    ctx.jsonSchema.format = "date-time";
  }
  if (def.type === "pipe" && def.in?._zod.def.type === "transform" && def.out) {
    const target = inputSchema(def.out);
    for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
    Object.assign(ctx.jsonSchema, target);
  }
};

/** JSON Schema of the request side of a schema (what a client sends); unrepresentable parts are `{}`. */
function inputSchema(schema: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(schema, {
    io: "input",
    unrepresentable: "any",
    target: "draft-2020-12",
    reused: "inline",
    override,
  }) as JsonSchema;
  delete out.$schema;
  return out;
}

function outputSchema(schema: z.ZodType, components: Record<string, JsonSchema>): JsonSchema {
  // Named schemas (.meta({ id })) land in $defs: move them to components and point there.
  const generated = z.toJSONSchema(schema, { io: "output", unrepresentable: "any", target: "draft-2020-12", override });
  const out = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema & {
    $defs?: Record<string, JsonSchema>;
  };
  delete out.$schema;
  for (const [name, def] of Object.entries(out.$defs ?? {})) components[name] = def;
  delete out.$defs;
  return out;
}

const PROBLEM_STATUSES: Record<string, string> = {
  400: "A field is not valid (errors names it)",
  401: "No or an invalid API key / session",
  403: "The role or the API key's scope does not allow it",
  404: "Not found (or not in the key's workspace)",
  409: "Conflict (already decided, already ended, Idempotency-Key reused)",
  413: "The request body is too large",
  429: "Rate limited (see Retry-After)",
};

function pathParameters(path: string) {
  return [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: "path",
    required: true,
    schema: { type: "string" },
  }));
}

function operationObject(op: ApiOperation, components: Record<string, JsonSchema>) {
  const parameters: Record<string, unknown>[] = [...pathParameters(op.path)];
  let requestBody: Record<string, unknown> | undefined;
  if (op.input) {
    if (op.method === "get") {
      const schema = inputSchema(op.input) as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const { description, ...rest } = prop;
        parameters.push({
          name,
          in: "query",
          required: (schema.required ?? []).includes(name) && !("default" in rest),
          ...(description ? { description } : {}),
          // lists are comma-separated: ?status=failed,cancelled
          ...(rest.type === "array" ? { style: "form", explode: false } : {}),
          schema: rest,
        });
      }
    } else {
      requestBody = { required: false, content: { "application/json": { schema: inputSchema(op.input) } } };
    }
  }
  for (const h of op.headers ?? []) {
    parameters.push({
      name: h.name,
      in: "header",
      required: h.required ?? false,
      description: h.description,
      schema: { type: "string" },
    });
  }
  const responses: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(op.responses)) {
    const type = r.contentType ?? "application/json";
    responses[status] = {
      description: r.description,
      content: { [type]: r.schema ? { schema: outputSchema(r.schema, components) } : {} },
    };
  }
  const scopes: readonly ApiKeyScope[] = op.action ? scopesForAction(op.action) : [];
  const statuses = op.action ? Object.keys(PROBLEM_STATUSES) : [];
  for (const status of statuses) {
    if (op.method === "get" && (status === "409" || status === "413")) continue;
    responses[status] = { $ref: `#/components/responses/Problem${status}` };
  }
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    description: [
      op.description,
      op.action ? `API-key scope: ${scopes.map((s) => `\`${s}\``).join(" or ")} (or \`admin\`).` : undefined,
    ]
      .filter(Boolean)
      .join("\n\n"),
    ...(op.action ? { security: [{ apiKey: [...scopes] }] } : { security: [] }),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

export function openApiDocument(options: { serverUrl?: string } = {}) {
  const components: Record<string, JsonSchema> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of Object.values(API_V1) as ApiOperation[]) {
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, unknown>)[op.method] = operationObject(op, components);
  }
  const problemRef = outputSchema(ProblemSchema, components);
  const responses = Object.fromEntries(
    Object.entries(PROBLEM_STATUSES).map(([status, description]) => [
      `Problem${status}`,
      {
        description,
        ...(status === "429" ? { headers: { "Retry-After": { schema: { type: "integer" } } } } : {}),
        content: { "application/problem+json": { schema: problemRef } },
      },
    ]),
  );
  return {
    openapi: "3.1.0",
    info: {
      title: "Switchboard REST API",
      version: "1.0.0",
      description:
        "Start and follow runs, decide approvals, import and publish workflows. Authenticate with `Authorization: Bearer <API key>` (Settings → API keys, or `switchboard keys create`). Errors are application/problem+json.",
    },
    servers: [{ url: `${options.serverUrl ?? ""}/api/v1` }],
    tags: [{ name: "Runs" }, { name: "Approvals" }, { name: "Workflows" }, { name: "Meta" }],
    paths,
    components: {
      schemas: components,
      responses,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description:
            "An API key (sb_…). Its scopes: runs:read, runs:write, approvals:decide, workflows:read, workflows:write, admin.",
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
