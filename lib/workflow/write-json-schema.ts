/** Writes docs/workflow.schema.json (npm run schema:write). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { workflowJsonSchemaText } from "./json-schema";

const target = fileURLToPath(new URL("../../docs/workflow.schema.json", import.meta.url));
writeFileSync(target, workflowJsonSchemaText());
console.log(`wrote ${target}`);
