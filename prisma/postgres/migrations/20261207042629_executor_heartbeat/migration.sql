-- CreateTable
CREATE TABLE "ExecutorHeartbeat" (
    "owner" TEXT NOT NULL,
    "beatAt" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExecutorHeartbeat_pkey" PRIMARY KEY ("owner")
);

-- CreateIndex
CREATE INDEX "ExecutorHeartbeat_beatAt_idx" ON "ExecutorHeartbeat"("beatAt");
