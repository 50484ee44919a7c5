import type { WorkflowDocument } from "../workflow-document";

export interface ResolvedWorkflow {
  workflowId: string;
  workflowVersionId: string;
  version: number;
  document: WorkflowDocument;
}

export interface SubworkflowResolver {
  /** A published version of a workflow in the workspace; `version` "latest" or a number. */
  resolve(input: {
    workspaceId: string;
    workflow: string;
    version: number | "latest";
  }): Promise<ResolvedWorkflow | null>;
}
