-- CreateTable
CREATE TABLE "ExecutorHeartbeat" (
    "owner" TEXT NOT NULL PRIMARY KEY,
    "beatAt" DATETIME NOT NULL,
    "startedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ExecutorHeartbeat_beatAt_idx" ON "ExecutorHeartbeat"("beatAt");
