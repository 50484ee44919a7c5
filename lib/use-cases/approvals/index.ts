// Approval use cases: decide (one, bulk, through a signed link), reassign, comment, and the audit
// of deadline outcomes; the notifications they trigger go through the listener in ApprovalDeps.
export { separationOfDutiesBlock } from "./common";
export * from "./decide";
export * from "./deps";
export * from "./link-token";
export * from "./links";
export * from "./reassign";
export * from "./timeouts";
