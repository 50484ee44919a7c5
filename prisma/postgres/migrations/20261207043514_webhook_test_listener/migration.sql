-- CreateTable
CREATE TABLE "WebhookTestListener" (
    "workflowId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "until" TIMESTAMP(3) NOT NULL,
    "requests" JSONB NOT NULL,
    "seq" INTEGER NOT NULL DEFAULT 0,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WebhookTestListener_pkey" PRIMARY KEY ("workflowId")
);
