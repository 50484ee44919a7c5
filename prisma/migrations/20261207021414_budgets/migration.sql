-- CreateTable
CREATE TABLE "Budget" (
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL DEFAULT '',
    "monthlyUsd" REAL NOT NULL,
    "onExceeded" TEXT NOT NULL DEFAULT 'pause',
    "updatedById" TEXT,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("workspaceId", "workflowId"),
    CONSTRAINT "Budget_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BudgetMonth" (
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL DEFAULT '',
    "month" TEXT NOT NULL,
    "spentUsd" REAL NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("workspaceId", "workflowId", "month"),
    CONSTRAINT "BudgetMonth_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "BudgetReservation" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "month" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "amountUsd" REAL NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "BudgetReservation_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "BudgetReservation_workspaceId_month_expiresAt_idx" ON "BudgetReservation"("workspaceId", "month", "expiresAt");
