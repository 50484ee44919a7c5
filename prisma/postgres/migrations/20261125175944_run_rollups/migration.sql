-- CreateTable
CREATE TABLE "RunDailyUsage" (
    "workspaceId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "startedById" TEXT NOT NULL DEFAULT '',
    "runs" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "durationMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "durationCount" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "RunDailyUsage_pkey" PRIMARY KEY ("workspaceId","day","workflowId","status","startedById")
);

-- AddForeignKey
ALTER TABLE "RunDailyUsage" ADD CONSTRAINT "RunDailyUsage_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Backfill (data, not schema): runs pruned before this migration exist only in DailyUsage.
-- Runs still stored are rolled up by the runner's first passes (their rolledUpAt is NULL).
INSERT INTO "RunDailyUsage" ("workspaceId", "day", "workflowId", "status", "startedById", "runs", "inputTokens", "outputTokens", "costUsd", "durationMs", "durationCount")
SELECT "workspaceId", "day", "workflowId", "status", '', "runs", "inputTokens", "outputTokens", "costUsd", "durationMs", "runs" FROM "DailyUsage";
