// MCP servers of a workspace: register, discover tools, mark tools that need approval, remove.
export * from "./servers";
