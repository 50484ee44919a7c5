-- AlterTable
ALTER TABLE "Run" ADD COLUMN "rolledUpAt" DATETIME;

-- CreateTable
CREATE TABLE "StepDailyUsage" (
    "workspaceId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "nodeId" TEXT NOT NULL,
    "nodeType" TEXT NOT NULL,
    "model" TEXT NOT NULL DEFAULT '',
    "status" TEXT NOT NULL,
    "steps" INTEGER NOT NULL DEFAULT 0,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" REAL NOT NULL DEFAULT 0,

    PRIMARY KEY ("workspaceId", "day", "workflowId", "nodeId", "nodeType", "model", "status"),
    CONSTRAINT "StepDailyUsage_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "Run_rolledUpAt_workspaceId_createdAt_idx" ON "Run"("rolledUpAt", "workspaceId", "createdAt");
