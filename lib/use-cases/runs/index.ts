// Run use cases: start from the editor, cancel, retry from the failed step, re-run.
export * from "./runs";
