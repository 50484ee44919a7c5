import { z } from "zod";
import { defineNode } from "@/lib/contracts/node-definition";

export const noteConfigSchema = z
  .object({
    text: z.string().max(20_000).default("").describe("Markdown shown on the canvas."),
    color: z.string().max(32).optional().describe("Colour of the note."),
  })
  .strict();

export type NoteConfig = z.infer<typeof noteConfigSchema>;

export const noteDefinition = defineNode({
  type: "note",
  label: "Note",
  description: "A sticky note on the canvas; the engine ignores it.",
  icon: "sticky-note",
  category: "annotation",
  docs: "`text` (Markdown) shown on the canvas. Notes take no part in runs and cannot have edges.",
  configVersion: 1,
  migrations: [],
  configSchema: noteConfigSchema,
  defaults: { text: "" },
  outcomes: () => [],
  primaryOutcome: () => null,
  canBranch: () => false,
  expressions: () => [],
  atMostOnce: false,
  sideEffects: false,
  defaultMaxAttempts: 1,
  inert: true,
  editor: { multilineFields: ["text"] },
});
