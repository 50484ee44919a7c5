-- DropIndex
DROP INDEX "Run_status_leaseUntil_idx";

-- DropIndex
DROP INDEX "Run_status_deadlineAt_idx";

-- DropIndex
DROP INDEX "Run_parentRunId_idx";

-- DropIndex
DROP INDEX "Run_retryOfRunId_idx";

-- DropIndex
DROP INDEX "Step_workspaceId_status_startedAt_idx";

-- DropIndex
DROP INDEX "Step_workspaceId_startedAt_idx";

-- CreateIndex
CREATE INDEX "Run_status_leaseUntil_idx" ON "Run"("status", "leaseUntil") WHERE "status" IN ('queued', 'running');

-- CreateIndex
CREATE INDEX "Run_status_deadlineAt_idx" ON "Run"("status", "deadlineAt") WHERE "deadlineAt" IS NOT NULL;

-- CreateIndex
CREATE INDEX "Run_parentRunId_idx" ON "Run"("parentRunId") WHERE "parentRunId" IS NOT NULL;

-- CreateIndex
CREATE INDEX "Run_retryOfRunId_idx" ON "Run"("retryOfRunId") WHERE "retryOfRunId" IS NOT NULL;
