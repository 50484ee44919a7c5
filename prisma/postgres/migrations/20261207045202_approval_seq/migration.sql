-- Approvals get a per-visit sequence: an agent asks once per approval-gated tool call, several
-- times in one step visit (lib/nodes/agent). The unique key becomes (runId, nodeId, visit, seq).

-- DropIndex
DROP INDEX "Approval_runId_nodeId_visit_key";

-- AlterTable
ALTER TABLE "Approval" ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE UNIQUE INDEX "Approval_runId_nodeId_visit_seq_key" ON "Approval"("runId", "nodeId", "visit", "seq");
