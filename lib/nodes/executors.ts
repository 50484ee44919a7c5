/**
 * The executor of every node type. `Record<NodeTypeId, …>`: adding a type to the registry
 * without an executor is a compile error. Server-side (executors may use node: modules).
 */

import type { Executor } from "@/lib/contracts/node";
import { a2aExecutor } from "./a2a/executor";
import { agentExecutor } from "./agent/executor";
import { approvalExecutor } from "./approval/executor";
import { conditionExecutor } from "./condition/executor";
import { endExecutor } from "./end/executor";
import { guardrailExecutor } from "./guardrail/executor";
import { httpExecutor } from "./http/executor";
import { noteExecutor } from "./note/executor";
import type { NodeTypeId } from "./registry";
import { setExecutor } from "./set/executor";
import { subworkflowExecutor } from "./subworkflow/executor";
import { toolExecutor } from "./tool/executor";
import { transformExecutor } from "./transform/executor";
import { triggerExecutor } from "./trigger/executor";

// biome-ignore lint/suspicious/noExplicitAny: each executor is typed by its own config; the engine passes the parsed config.
export const executors: Record<NodeTypeId, Executor<any>> = {
  trigger: triggerExecutor,
  agent: agentExecutor,
  approval: approvalExecutor,
  condition: conditionExecutor,
  transform: transformExecutor,
  set: setExecutor,
  http: httpExecutor,
  tool: toolExecutor,
  guardrail: guardrailExecutor,
  subworkflow: subworkflowExecutor,
  a2a: a2aExecutor,
  end: endExecutor,
  note: noteExecutor,
};
