-- CreateTable
CREATE TABLE "WebhookTestListener" (
    "workflowId" TEXT NOT NULL PRIMARY KEY,
    "workspaceId" TEXT NOT NULL,
    "until" DATETIME NOT NULL,
    "requests" JSONB NOT NULL,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" DATETIME NOT NULL
);
