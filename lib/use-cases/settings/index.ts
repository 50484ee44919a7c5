// Settings use cases: the workspace (name, run history retention), its members (and their password
// resets) and its API keys.
export * from "./account";
export * from "./api-keys";
export * from "./invitations";
export * from "./members";
export * from "./password-reset";
export * from "./workspace";
