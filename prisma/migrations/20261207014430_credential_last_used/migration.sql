-- AlterTable
ALTER TABLE "Credential" ADD COLUMN "lastUsedAt" DATETIME;
