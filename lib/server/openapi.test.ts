// The OpenAPI document: valid against the official OpenAPI 3.1 JSON Schema (schema-base
// 2022-10-07, vendored in tests/fixtures/openapi-3.1), structurally sound (every schema compiles
// as JSON Schema 2020-12, every $ref resolves, operation ids unique), and it matches the route files under
// app/api/v1 exactly — every route file's methods are operations, every operation has a route.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import { describe, expect, it } from "vitest";

import { API_V1 } from "./api-v1";
import { openApiDocument } from "./openapi";

const ROOT = join(import.meta.dirname, "..", "..");
const V1 = join(ROOT, "app", "api", "v1");
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(path);
    return entry.name === "route.ts" ? [path] : [];
  });
}

/** app/api/v1/runs/[id]/cancel/route.ts → /runs/{id}/cancel */
function openApiPathOf(file: string): string {
  const segments = relative(V1, file).split(sep).slice(0, -1);
  return `/${segments.map((s) => s.replace(/^\[(\w+)\]$/, "{$1}")).join("/")}`;
}

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(doc: unknown, ref: string): unknown {
  expect(ref.startsWith("#/")).toBe(true);
  return ref
    .slice(2)
    .split("/")
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

const addFormats = addFormatsPlugin as unknown as (ajv: Ajv2020) => Ajv2020;

const SCHEMA_BASE_ID = "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07";

/** Replaces every `{ "$dynamicRef": "#meta" }` with a plain `$ref` to `target`. */
function staticMetaRefs(node: unknown, target: string): unknown {
  if (Array.isArray(node)) return node.map((n) => staticMetaRefs(n, target));
  if (!node || typeof node !== "object") return node;
  const entries = Object.entries(node as Record<string, unknown>).map(([k, v]) =>
    k === "$dynamicRef" && v === "#meta" ? ["$ref", target] : [k, staticMetaRefs(v, target)],
  );
  return Object.fromEntries(entries);
}

/**
 * The official OpenAPI 3.1 meta-schemas (2022-10-07), vendored unchanged:
 * tests/fixtures/openapi-3.1/README.md. `schema-base` validates the document AND every Schema
 * Object in it with the OpenAPI dialect. Ajv resolves a `$dynamicRef` outside the root schema to
 * the wrong anchor (it checked each parameter's `schema` as if it were a Parameter Object), so the
 * `$dynamicRef: "#meta"` of schema.json — which, under schema-base, means schema-base's
 * `#/$defs/schema` — is made that static `$ref` when loading (the usual workaround with Ajv).
 */
function officialValidator() {
  const dir = join(ROOT, "tests", "fixtures", "openapi-3.1");
  const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8")) as object;
  const ajv = addFormats(new Ajv2020({ strict: false, allErrors: true, validateFormats: true }));
  ajv.addFormat("media-range", true);
  ajv.addSchema(read("meta-base.json"));
  ajv.addSchema(read("dialect-base.json"));
  ajv.addSchema(staticMetaRefs(read("schema.json"), `${SCHEMA_BASE_ID}#/$defs/schema`) as object);
  return ajv.compile(read("schema-base.json"));
}

describe("OpenAPI document of /api/v1", () => {
  const doc = openApiDocument();

  it("validates against the official OpenAPI 3.1 JSON Schema (schema-base 2022-10-07)", () => {
    const validate = officialValidator();
    const valid = validate(JSON.parse(JSON.stringify(doc)));
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5), null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // and the validator really refuses broken documents: an OpenAPI 2 "body" parameter, a
    // parameter schema and a component schema that are not JSON Schema
    const broken = () => JSON.parse(JSON.stringify(doc));
    const body = broken();
    body.paths["/runs"].post.parameters = [{ name: "x", in: "body", schema: {} }];
    expect(validate(body)).toBe(false);
    const param = broken();
    param.paths["/runs"].get.parameters[0].schema = { type: "text" };
    expect(validate(param)).toBe(false);
    expect(JSON.stringify(validate.errors)).toContain("/paths/~1runs/get/parameters/0/schema/type");
    const component = broken();
    component.components.schemas.Problem = { properties: { detail: { minLength: -1 } } };
    expect(validate(component)).toBe(false);
  });

  it("is structurally OpenAPI 3.1: info, paths, unique operation ids, responses, resolvable $refs", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      expect(path.startsWith("/")).toBe(true);
      for (const [method, op] of Object.entries(item as Record<string, Record<string, unknown>>)) {
        expect(["get", "post", "put", "patch", "delete"]).toContain(method);
        const operationId = op.operationId as string;
        expect(ids.has(operationId), operationId).toBe(false);
        ids.add(operationId);
        expect(Object.keys(op.responses as object).length).toBeGreaterThan(0);
        for (const [status, response] of Object.entries(op.responses as Record<string, Record<string, unknown>>)) {
          expect(status).toMatch(/^[1-5]\d\d$/);
          expect(response.$ref ?? response.description, `${operationId} ${status}`).toBeTruthy();
        }
        // every {param} of the path is declared as a required path parameter
        const declared = ((op.parameters as { name: string; in: string; required: boolean }[]) ?? []).filter(
          (p) => p.in === "path",
        );
        for (const m of path.matchAll(/\{(\w+)\}/g)) {
          expect(declared.find((p) => p.name === m[1])?.required, `${operationId} ${m[1]}`).toBe(true);
        }
        for (const s of (op.security as Record<string, unknown>[]) ?? []) {
          for (const scheme of Object.keys(s)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
        }
      }
    }
    for (const ref of refs(doc)) expect(resolve(doc, ref), ref).toBeDefined();
  });

  it("every schema in it compiles as JSON Schema 2020-12 (the dialect of OpenAPI 3.1)", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema({ $id: "openapi", components: doc.components } as object);
    const schemas: unknown[] = [];
    const collect = (node: unknown) => {
      if (Array.isArray(node)) for (const n of node) collect(n);
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "schema") schemas.push(v);
          else collect(v);
        }
      }
    };
    collect(doc.paths);
    collect(doc.components.responses);
    schemas.push(...Object.values(doc.components.schemas));
    expect(schemas.length).toBeGreaterThan(20);
    for (const schema of schemas) {
      const rewritten = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/'));
      expect(() => ajv.compile(rewritten)).not.toThrow();
    }
    // and a schema really checks: the start-run body needs a workflowId
    const start = doc.paths["/runs"]?.post as { requestBody: { content: { "application/json": { schema: object } } } };
    const validate = ajv.compile(start.requestBody.content["application/json"].schema);
    expect(validate({ workflowId: "wf_1", input: { a: 1 } })).toBe(true);
    expect(validate({ input: {} })).toBe(false);
  });

  it("matches the route files under app/api/v1: each exported method is an operation and each operation has its route", async () => {
    const fromFiles = new Set<string>();
    for (const file of routeFiles(V1)) {
      const mod = (await import(file)) as Record<string, unknown>;
      for (const m of METHODS)
        if (typeof mod[m] === "function") fromFiles.add(`${m.toLowerCase()} ${openApiPathOf(file)}`);
    }
    const fromDoc = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item as object).map((m) => `${m} ${path}`)),
    );
    expect([...fromFiles].sort()).toEqual([...fromDoc].sort());
    expect(fromDoc.size).toBe(Object.keys(API_V1).length);
  });

  it("is served at /api/v1/openapi.json without authentication", async () => {
    const { GET } = await import("@/app/api/v1/openapi.json/route");
    const res = GET();
    expect(res.status).toBe(200);
    expect(((await res.json()) as { openapi: string }).openapi).toBe("3.1.0");
  });
});
