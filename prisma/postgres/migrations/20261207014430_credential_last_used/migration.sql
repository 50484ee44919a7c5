-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "lastUsedAt" TIMESTAMP(3);
