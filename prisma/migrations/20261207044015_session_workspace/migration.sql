-- AlterTable
ALTER TABLE "UserSession" ADD COLUMN "workspaceId" TEXT;
