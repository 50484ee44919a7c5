/** Config pieces shared by several node types. Browser-safe (zod only). */
import { z } from "zod";
import { HANDLE_PATTERN } from "@/lib/contracts/node-definition";

export const assigneesSchema = z
  .object({
    roles: z.array(z.string().min(1).max(64)).max(50).default([]),
    users: z.array(z.string().min(1).max(200)).max(200).default([]),
  })
  .strict();

export const escalationLevelSchema = assigneesSchema.extend({
  /** Deadline for this level; defaults to the approval's own timeoutMs. */
  timeoutMs: z.number().int().min(1000).max(31_536_000_000).optional(),
});

export const handleSchema = z
  .string()
  .regex(HANDLE_PATTERN, "must start with a letter and use only letters, digits, - and _");

/** A JSON value whose strings may hold `{{ }}` templates. */
export const templateValueSchema: z.ZodType<unknown> = z.unknown();

export const jsonSchemaSchema = z.record(z.string(), z.unknown());

/** Deadline of a human wait: a number of ms, or null for an explicit "no deadline". Default 7 days. */
export const waitTimeoutSchema = z
  .number()
  .int()
  .min(1000)
  .max(31_536_000_000)
  .nullable()
  .default(7 * 24 * 3_600_000);
