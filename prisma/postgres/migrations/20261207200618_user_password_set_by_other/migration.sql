-- AlterTable
ALTER TABLE "User" ADD COLUMN     "passwordSetByOther" BOOLEAN NOT NULL DEFAULT false;
