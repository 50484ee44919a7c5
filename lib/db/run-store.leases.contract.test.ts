// The engine's RunStore contract (leases and fencing; lib/engine/testing/store-contract) against PrismaRunStore
// on SQLite and on the real PostgreSQL server, through both write paths.
import { leaseContract } from "../engine/testing/store-contract";
import { PRISMA_STORE_VARIANTS, prismaStoreFixture } from "./fixtures";

for (const [name, open, direct] of PRISMA_STORE_VARIANTS) leaseContract(name, prismaStoreFixture(open, direct));
