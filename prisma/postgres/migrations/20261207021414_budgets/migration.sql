-- CreateTable
CREATE TABLE "Budget" (
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL DEFAULT '',
    "monthlyUsd" DOUBLE PRECISION NOT NULL,
    "onExceeded" TEXT NOT NULL DEFAULT 'pause',
    "updatedById" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Budget_pkey" PRIMARY KEY ("workspaceId","workflowId")
);

-- CreateTable
CREATE TABLE "BudgetMonth" (
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL DEFAULT '',
    "month" TEXT NOT NULL,
    "spentUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BudgetMonth_pkey" PRIMARY KEY ("workspaceId","workflowId","month")
);

-- CreateTable
CREATE TABLE "BudgetReservation" (
    "key" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "amountUsd" DOUBLE PRECISION NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "BudgetReservation_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "BudgetReservation_workspaceId_month_expiresAt_idx" ON "BudgetReservation"("workspaceId", "month", "expiresAt");

-- AddForeignKey
ALTER TABLE "Budget" ADD CONSTRAINT "Budget_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetMonth" ADD CONSTRAINT "BudgetMonth_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "BudgetReservation" ADD CONSTRAINT "BudgetReservation_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
