// Other agents calling Switchboard: API-key callers of /api/mcp and /api/a2a, the runs they start
// and follow, and which workflows are offered to them.
export * from "./callers";
export * from "./exposure";
export * from "./runs";
