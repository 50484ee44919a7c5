// The REST API reference, rendered on the server from the same OpenAPI document that
// /api/v1/openapi.json serves (lib/server/openapi.ts): every operation, its scope, parameters,
// body and responses. No client script, no external assets.
import type { Metadata } from "next";
import Link from "next/link";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { Badge } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { openApiDocument } from "@/lib/server/openapi";
import { requirePageActor } from "@/lib/server/session";

export const metadata: Metadata = { title: "API reference" };
export const dynamic = "force-dynamic";

type Parameter = { name: string; in: string; required: boolean; description?: string; schema: Record<string, unknown> };
type Operation = {
  operationId: string;
  tags: string[];
  summary: string;
  description: string;
  security: Record<string, string[]>[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description?: string; $ref?: string }>;
};

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.enum)) return schema.enum.join(" | ");
  if (schema.type === "array") return `list of ${typeOf((schema.items as Record<string, unknown>) ?? {})}`;
  if (typeof schema.type === "string") return schema.type;
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as Record<string, unknown>[]).map(typeOf).join(" | ");
  return "any";
}

/** Text with `code` spans (the OpenAPI descriptions use Markdown backticks), paragraphs kept. */
function Prose({ text }: { text: string }) {
  return (
    <>
      {text.split("\n\n").map((paragraph, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: paragraphs of a fixed text
        <p key={i} className="mt-2 text-sm text-slate-600">
          {paragraph.split("`").map((part, j) =>
            j % 2 === 1 ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: pieces of a fixed text
              <code key={j} className="rounded bg-slate-100 px-1 font-mono text-xs">
                {part}
              </code>
            ) : (
              part
            ),
          )}
        </p>
      ))}
    </>
  );
}

function anchor(op: Operation): string {
  return op.operationId;
}

export default async function ApiDocsPage() {
  await requirePageActor("/api-docs");
  const doc = openApiDocument();
  const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item as Record<string, Operation>).map(([method, op]) => ({ path, method, op })),
  );
  const tags = doc.tags.map((t) => t.name);
  return (
    <PageBody>
      <PageHeader
        title="API reference"
        description={
          <>
            REST API v1 at <code>/api/v1</code>. Send <code>Authorization: Bearer &lt;API key&gt;</code> (create keys in{" "}
            <Link href="/settings" className="underline">
              Settings → API keys
            </Link>{" "}
            or with <code>switchboard keys create</code>). Errors are <code>application/problem+json</code> naming the
            field. Machine-readable:{" "}
            <a href="/api/v1/openapi.json" className="underline">
              openapi.json
            </a>{" "}
            (OpenAPI 3.1).
          </>
        }
      />
      <div className="mt-6">
        <nav aria-label="Operations" className="mb-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          {tags.map((tag) => (
            <div key={tag}>
              <h2 className="mb-1 text-sm font-semibold text-slate-700">{tag}</h2>
              <ul className="space-y-0.5 text-sm">
                {operations
                  .filter((o) => o.op.tags.includes(tag))
                  .map((o) => (
                    <li key={o.op.operationId}>
                      <a href={`#${anchor(o.op)}`} className="font-mono text-xs text-blue-700 hover:underline">
                        {o.method.toUpperCase()} {o.path}
                      </a>
                    </li>
                  ))}
              </ul>
            </div>
          ))}
        </nav>
        <div className="space-y-4">
          {operations.map(({ path, method, op }) => {
            const scopes = op.security.flatMap((s) => Object.values(s).flat());
            const body = op.requestBody?.content["application/json"]?.schema;
            return (
              <Card key={op.operationId} id={anchor(op)} aria-labelledby={`${anchor(op)}-title`}>
                <CardHeader
                  id={`${anchor(op)}-title`}
                  title={`${method.toUpperCase()} /api/v1${path}`}
                  description={op.summary}
                  actions={
                    scopes.length ? (
                      <span className="flex flex-wrap gap-1">
                        {scopes.map((s) => (
                          <Badge key={s} tone="info">
                            {s}
                          </Badge>
                        ))}
                      </span>
                    ) : (
                      <Badge>public</Badge>
                    )
                  }
                />
                {op.description ? <Prose text={op.description} /> : null}
                {op.parameters?.length ? (
                  <div className="mt-3">
                    <Table label={`Parameters of ${op.operationId}`}>
                      <THead>
                        <TR>
                          <TH>Parameter</TH>
                          <TH>In</TH>
                          <TH>Type</TH>
                          <TH>Description</TH>
                        </TR>
                      </THead>
                      <TBody>
                        {op.parameters.map((p) => (
                          <TR key={`${p.in}-${p.name}`}>
                            <TD className="font-mono text-xs">
                              {p.name}
                              {p.required ? <span className="text-red-700"> *</span> : null}
                            </TD>
                            <TD className="text-slate-600">{p.in}</TD>
                            <TD className="font-mono text-xs text-slate-600">{typeOf(p.schema)}</TD>
                            <TD className="text-slate-600">{p.description ?? ""}</TD>
                          </TR>
                        ))}
                      </TBody>
                    </Table>
                  </div>
                ) : null}
                {body ? (
                  <details className="mt-3">
                    <summary className="cursor-pointer text-sm font-medium text-slate-700">JSON body (schema)</summary>
                    <pre className="mt-2 max-h-80 overflow-auto rounded bg-slate-50 p-3 text-xs">
                      {JSON.stringify(body, null, 2)}
                    </pre>
                  </details>
                ) : null}
                <p className="mt-3 text-sm text-slate-600">
                  Responses:{" "}
                  {Object.entries(op.responses).map(([status, r], i) => (
                    <span key={status}>
                      {i > 0 ? ", " : ""}
                      <span className="font-mono text-xs">{status}</span>
                      {r.description && !r.$ref ? ` ${r.description}` : ""}
                    </span>
                  ))}
                </p>
              </Card>
            );
          })}
        </div>
      </div>
    </PageBody>
  );
}
