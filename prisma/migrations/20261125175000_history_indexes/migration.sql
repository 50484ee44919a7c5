-- DropIndex
DROP INDEX "Run_workspaceId_createdAt_idx";

-- CreateIndex
CREATE INDEX "Run_list_covering_idx" ON "Run"("workspaceId", "createdAt", "id", "status", "workflowId", "startedById", "durationMs", "inputTokens", "outputTokens", "costUsd");

-- CreateIndex
CREATE INDEX "Run_retryOfRunId_idx" ON "Run"("retryOfRunId");

-- CreateIndex
CREATE INDEX "Step_dashboard_covering_idx" ON "Step"("runId", "nodeType", "nodeId", "status", "model", "inputTokens", "outputTokens", "costUsd");
