// Models and the platform around them: model providers, prices, credentials, the egress
// allow-list, secret rotation, and the per-process cache the engine's ports are built from.
export * from "./caller";
export * from "./choices";
export * from "./credentials";
export * from "./egress";
export * from "./platform";
export * from "./prices";
export * from "./providers";
export * from "./rotate";
