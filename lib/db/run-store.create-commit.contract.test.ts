// The engine's RunStore contract (create and commit; lib/engine/testing/store-contract) against PrismaRunStore
// on SQLite and on the real PostgreSQL server, through both write paths.
import { createCommitContract } from "../engine/testing/store-contract";
import { PRISMA_STORE_VARIANTS, prismaStoreFixture } from "./fixtures";

for (const [name, open, direct] of PRISMA_STORE_VARIANTS) createCommitContract(name, prismaStoreFixture(open, direct));
