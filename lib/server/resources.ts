// The shared resource loaders of authedAction/authedRoute: the object an action is about, by id,
// as the policy needs it (its workspace; for approvals, its assignees). null: it does not exist.
// Another workspace's object is returned too, so the policy can refuse it (forbidden:<type>).
import { approvalResource } from "@/lib/db/approvals";
import type { Db } from "@/lib/db/client";
import { runWorkspace } from "@/lib/db/runs";
import { workflowWorkspace } from "@/lib/db/workflows";
import type { RouteParams } from "./route";

/** Server actions: `resource: loadWorkflow` for inputs with `id`, loadRun for `runId`, loadApproval for `approvalId`. */
export const loadWorkflow = (input: { id: string }, db: Db) => workflowWorkspace(db, input.id);
export const loadRun = (input: { runId: string }, db: Db) => runWorkspace(db, input.runId);
export const loadApproval = (input: { approvalId: string }, db: Db) => approvalResource(db, input.approvalId);

/** Route handlers: the object named by the `[id]` segment of the URL. */
export const runOfPath = (_input: unknown, db: Db, params: RouteParams) => runWorkspace(db, String(params.id));
export const approvalOfPath = (_input: unknown, db: Db, params: RouteParams) => approvalResource(db, String(params.id));
export const loadWorkflowOfPath = (_input: unknown, db: Db, params: RouteParams) =>
  workflowWorkspace(db, String(params.id));
