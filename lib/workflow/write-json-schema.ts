/** `npm run schema:write`: writes docs/workflow.schema.json and the node-type section of docs/workflow-format.md. */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { withNodeTypes } from "./format-docs";
import { workflowJsonSchemaText } from "./json-schema";

const schemaPath = fileURLToPath(new URL("../../docs/workflow.schema.json", import.meta.url));
writeFileSync(schemaPath, workflowJsonSchemaText());
console.log(`wrote ${schemaPath}`);

const docsPath = fileURLToPath(new URL("../../docs/workflow-format.md", import.meta.url));
writeFileSync(docsPath, withNodeTypes(readFileSync(docsPath, "utf8")));
console.log(`wrote ${docsPath}`);
