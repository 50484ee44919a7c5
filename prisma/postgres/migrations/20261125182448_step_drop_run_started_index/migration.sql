-- DropIndex
DROP INDEX "Step_runId_startedAt_idx";
