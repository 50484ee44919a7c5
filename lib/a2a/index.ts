// The A2A client of a process (the a2a node), and A2A's JSON-RPC binding on web-standard HTTP.
export { type A2aClientOptions, a2aError, createA2aClient, stateName } from "./client";
export { handleA2aJsonRpc } from "./jsonrpc-http";
