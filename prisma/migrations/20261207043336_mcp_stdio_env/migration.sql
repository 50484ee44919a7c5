-- AlterTable
ALTER TABLE "McpServer" ADD COLUMN "env" JSONB;
