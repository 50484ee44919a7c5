/** The built-in node definitions as a lookup, for validation (browser-safe: definitions only). */
import { createNodeDefinitions } from "@/lib/contracts/node-registry";
import { nodeDefinitions } from "./registry";

export const builtinNodeDefinitions = createNodeDefinitions(nodeDefinitions);
