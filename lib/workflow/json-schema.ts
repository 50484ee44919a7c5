/**
 * The published JSON Schema of the workflow format (docs/workflow.schema.json), generated from
 * the zod schemas: the document schema with `nodes` as a union over every node type, each with
 * its own config schema. `npm run schema:write` regenerates it; json-schema.test.ts fails when it
 * is out of date.
 */
import { z } from "zod";
import { WORKFLOW_FORMAT, workflowDocumentSchema, workflowNodeSchema } from "@/lib/contracts/workflow-document";
import { nodeDefinitions } from "@/lib/nodes/registry";

export function strictWorkflowDocumentSchema() {
  const nodeVariants = nodeDefinitions.map((d) =>
    workflowNodeSchema.extend({
      type: z.literal(d.type),
      config: (d.configSchema as z.ZodType).describe(`${d.label}: ${d.description}`),
      version: z
        .number()
        .int()
        .min(1)
        .max(d.configVersion)
        .optional()
        .describe(
          `Version of this node's config shape; absent means 1, current is ${d.configVersion}. Older configs are migrated when the document is loaded.`,
        ),
    }),
  );
  return workflowDocumentSchema.extend({
    nodes: z.array(z.discriminatedUnion("type", nodeVariants as unknown as [z.ZodObject, ...z.ZodObject[]])).max(2000),
  });
}

export function workflowJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(strictWorkflowDocumentSchema(), { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    $schema: schema.$schema,
    $id: "https://switchboard.dev/schemas/workflow-v1.json",
    title: `Switchboard workflow (${WORKFLOW_FORMAT})`,
    description:
      "A Switchboard workflow document. Generated from lib/contracts/workflow-document.ts and the node definitions; see docs/workflow-format.md.",
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== "$schema")),
  };
}

export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}
