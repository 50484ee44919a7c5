/**
 * The ports the engine talks through. The engine imports nothing from Next, React, Prisma or the
 * environment: everything it touches comes in through these interfaces, one file per subject.
 */
export * from "./budgets";
export * from "./clock";
export * from "./egress";
export * from "./http";
export * from "./interop";
export * from "./model";
export * from "./notifier";
export * from "./prices";
export * from "./records";
export * from "./redaction";
export * from "./settings";
export * from "./store";
export * from "./subworkflow";
