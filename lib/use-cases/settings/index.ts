// Settings use cases: the workspace (name, run history retention), its members and its API keys.
export * from "./api-keys";
export * from "./members";
export * from "./workspace";
