-- AlterTable: snapshots of a draft that editor runs are pinned to (not published versions)
ALTER TABLE "WorkflowVersion" ADD COLUMN "draft" BOOLEAN NOT NULL DEFAULT false;
