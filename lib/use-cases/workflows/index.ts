// Workflow use cases (see workflows.ts) and the document rules they apply (document.ts).

export * from "./api";
export { documentProblems, stripSecrets } from "./document";
export { versionDocumentFor } from "./version-view";
export * from "./workflows";
