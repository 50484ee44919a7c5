// The SignInThrottle rows behind lib/auth/throttle.ts: failed sign-ins counted per key.
import { type DbOrTx, prismaOf } from "./tx";

export type ThrottleRow = { key: string; failures: number; lastFailAt: Date };

export async function throttleRows(db: DbOrTx, keys: string[]): Promise<ThrottleRow[]> {
  return prismaOf(db).signInThrottle.findMany({
    where: { key: { in: keys } },
    select: { key: true, failures: true, lastFailAt: true },
  });
}

/** Counts one more failure for `key`; `restart` starts the count again at 1 (a quiet period passed). */
export async function countThrottleFailure(
  db: DbOrTx,
  key: string,
  now: Date,
  restart: (row: ThrottleRow | null) => boolean,
): Promise<void> {
  const p = prismaOf(db);
  const row = await p.signInThrottle.findUnique({
    where: { key },
    select: { key: true, failures: true, lastFailAt: true },
  });
  await p.signInThrottle.upsert({
    where: { key },
    create: { key, failures: 1, lastFailAt: now },
    update: restart(row) ? { failures: 1, lastFailAt: now } : { failures: { increment: 1 }, lastFailAt: now },
  });
}

export async function deleteThrottle(db: DbOrTx, key: string): Promise<void> {
  await prismaOf(db).signInThrottle.deleteMany({ where: { key } });
}
