// The engine's RunStore conformance suite (lib/engine/testing/store-contract.ts) against
// PrismaRunStore on SQLite and on the real PostgreSQL server, through both write paths.
import { runStoreContract } from "../engine/testing/store-contract";
import type { WorkflowDocument } from "../workflow/schema";
import { PrismaRunStore } from "./run-store";
import { MINIMAL_DOCUMENT, seedWorkflowVersion } from "./run-store-fixtures";
import { openTestPostgres, openTestSqlite } from "./testing";

const VARIANTS = [
  ["prisma sqlite (direct)", openTestSqlite, true],
  ["prisma sqlite (prisma)", openTestSqlite, false],
  ["prisma postgresql (direct)", openTestPostgres, true],
  ["prisma postgresql (prisma)", openTestPostgres, false],
] as const;

for (const [name, open, direct] of VARIANTS) {
  runStoreContract(name, async () => {
    const db = await open();
    const refs = await seedWorkflowVersion(db);
    const store = new PrismaRunStore(db, { direct });
    return {
      store,
      refs: { ...refs, document: MINIMAL_DOCUMENT as unknown as WorkflowDocument },
      async cleanup() {
        await store.close();
        await db.dispose();
      },
    };
  });
}
