/**
 * The workflow document schema (format `switchboard.workflow/v1`), the product's public contract.
 * See /docs/workflow-format.md. This module is browser-safe: it imports only zod.
 *
 * Node `config` is validated here only as "an object"; each node type's own zod schema
 * (lib/nodes/<type>/definition.ts) checks it in `validateWorkflow()`, so one bad node never
 * hides the problems of the others. `strictWorkflowDocumentSchema` (lib/workflow/json-schema.ts)
 * is the per-type union used for the published JSON Schema.
 */
import { z } from "zod";
import { userText } from "./text";

export const WORKFLOW_FORMAT = "switchboard.workflow/v1" as const;

export const NODE_ID_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const nodeIdSchema = z
  .string()
  .regex(NODE_ID_PATTERN, "must start with a letter and use only letters, digits, - and _ (at most 64 characters)");

/** A JSON Schema object (kept opaque here; compiled with ajv where it is used). */
export const jsonSchemaObject = z.record(z.string(), z.unknown()).describe("A JSON Schema");

export const retrySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20).optional().describe("Attempts in total, including the first"),
    backoffMs: z.number().int().min(0).max(3_600_000).optional().describe("Wait before the 2nd attempt"),
    factor: z.number().min(1).max(10).optional().describe("Each further wait is multiplied by this"),
    maxBackoffMs: z.number().int().min(0).max(86_400_000).optional().describe("Longest wait between attempts"),
  })
  .strict();

export const positionSchema = z.object({ x: z.number(), y: z.number() }).strict();

export const workflowNodeSchema = z
  .object({
    id: nodeIdSchema,
    type: z.string().min(1).max(64),
    name: userText().max(200).optional(),
    position: positionSchema.optional(),
    config: z.record(z.string(), z.unknown()).default({}),
    /** Version of the config's shape (the type's `configVersion` when saved); absent means 1. Older configs are migrated on load. */
    version: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .optional()
      .describe(
        "Version of this node's config shape; absent means 1. Older configs are migrated when the document is loaded.",
      ),
    retry: retrySchema.optional(),
    timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
    disabled: z.boolean().optional(),
    /** After a crash, mark the step interrupted and route to failure instead of running it again. */
    atMostOnce: z.boolean().optional(),
    /** Most times this node may run in one run (loops). Default 10. */
    maxVisits: z.number().int().min(1).max(10_000).optional(),
    /** Free-form editor data (colour, size…); the engine ignores it. */
    meta: z.record(z.string(), z.unknown()).optional(),
    /**
     * Sample data pinned in the editor: "Test step" on a later node reads it as this node's
     * output instead of running this node. Runs ignore it and always execute every step.
     */
    pinned: z
      .object({ output: z.unknown(), pinnedAt: z.string().max(64).optional() })
      .strict()
      .optional()
      .describe("Sample output pinned in the editor for testing later steps; runs ignore it"),
  })
  .strict();

export const workflowEdgeSchema = z
  .object({
    id: z.string().min(1).max(128).optional(),
    source: z.string().min(1),
    target: z.string().min(1),
    sourceHandle: z.string().min(1).max(64).optional(),
    label: userText().max(200).optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export const limitsSchema = z
  .object({
    maxCostUsd: z.number().min(0).optional(),
    maxTokens: z.number().int().min(0).optional(),
    maxSteps: z.number().int().min(1).max(1_000_000).optional().describe("Default 1000"),
    timeoutMs: z.number().int().min(1).optional(),
    /** What happens when a budget is used up: pause with a budget approval (default) or fail. */
    onBudgetExceeded: z.enum(["pause", "fail"]).optional(),
    /** Default `maxVisits` for nodes that don't set their own. Default 10. */
    maxVisits: z.number().int().min(1).max(10_000).optional(),
  })
  .strict();

export const workflowDocumentSchema = z
  .object({
    format: z.literal(WORKFLOW_FORMAT),
    name: userText().min(1).max(200),
    description: userText().max(10_000).optional(),
    input: jsonSchemaObject.optional(),
    limits: limitsSchema.optional(),
    nodes: z.array(workflowNodeSchema).max(2000),
    edges: z.array(workflowEdgeSchema).max(10_000).default([]),
    meta: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type WorkflowDocument = z.infer<typeof workflowDocumentSchema>;
export type WorkflowDocumentInput = z.input<typeof workflowDocumentSchema>;
export type WorkflowNode = z.infer<typeof workflowNodeSchema>;
export type WorkflowEdge = z.infer<typeof workflowEdgeSchema>;
export type WorkflowLimits = z.infer<typeof limitsSchema>;
export type RetryPolicy = z.infer<typeof retrySchema>;

export const DEFAULT_MAX_STEPS = 1000;
export const DEFAULT_MAX_VISITS = 10;
