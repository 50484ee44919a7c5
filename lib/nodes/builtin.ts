/**
 * The built-in node types with their executors: what the composition roots (web, CLI, worker)
 * and the test kit pass to `createEngine({ nodes })`. Server-side (executors may use node: modules).
 */
import { createNodeRegistry } from "@/lib/contracts/node-registry";
import { executors } from "./executors";
import { nodeDefinitions } from "./registry";

export const builtinNodes = createNodeRegistry(nodeDefinitions, executors);
