// What a trigger needs to start runs. Every trigger starts its runs through the one start path,
// startWorkflowRun (lib/use-cases/runs/start.ts): admission, idempotency, audit and dispatch
// are the same for webhooks, schedules and chat as for the editor, the API, MCP, A2A and the CLI.
import type { StartDeps } from "../runs/start";

export type TriggerStartDeps = StartDeps;
