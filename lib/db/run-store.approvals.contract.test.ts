// The engine's RunStore contract (approvals; lib/engine/testing/store-contract) against PrismaRunStore
// on SQLite and on the real PostgreSQL server, through both write paths.
import { approvalContract } from "../engine/testing/store-contract";
import { PRISMA_STORE_VARIANTS, prismaStoreFixture } from "./fixtures";

for (const [name, open, direct] of PRISMA_STORE_VARIANTS) approvalContract(name, prismaStoreFixture(open, direct));
