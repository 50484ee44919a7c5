/**
 * runStoreContract(): the conformance suite every RunStore must pass (memory, Prisma SQLite,
 * Prisma PostgreSQL), in four parts by capability — create and commit, leases and fencing,
 * approvals, queries — each callable on its own (a store's test files can run them in parallel):
 *
 *   runStoreContract("prisma sqlite", async () => ({ store, refs, cleanup }));
 *   leaseContract("prisma sqlite", make);
 *
 * `refs` names an existing workspace / workflow / version (stores with foreign keys need them).
 */
import { approvalContract } from "./approvals";
import type { MakeFixture } from "./context";
import { createCommitContract } from "./create-commit";
import { leaseContract } from "./leases";
import { queryContract } from "./queries";

export type { ContractFixture, MakeFixture } from "./context";
export { approvalContract, createCommitContract, leaseContract, queryContract };

/** The whole contract: every capability. */
export function runStoreContract(name: string, make: MakeFixture) {
  createCommitContract(name, make);
  leaseContract(name, make);
  approvalContract(name, make);
  queryContract(name, make);
}
