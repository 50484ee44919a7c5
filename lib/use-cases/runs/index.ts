// Run use cases: start from the editor, start a published version (API, CLI, webhooks, schedules,
// chat), cancel, retry from the failed step, re-run.
export * from "./runs";
export * from "./start";
