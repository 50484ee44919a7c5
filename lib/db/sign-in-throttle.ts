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

/**
 * Forgets every failure counted against an account: its delay key (`email:<email>`) and each
 * pair of it with a client (`pair:<email>|<client>`), as after a password reset.
 */
export async function deleteAccountThrottle(db: DbOrTx, email: string): Promise<number> {
  const p = prismaOf(db);
  const prefix = `pair:${email}|`;
  // `startsWith` becomes LIKE, where "_" and "%" (both allowed in e-mails) are wildcards: the rows
  // it finds are narrowed to the exact prefix before anything is deleted.
  const rows = await p.signInThrottle.findMany({ where: { key: { startsWith: prefix } }, select: { key: true } });
  const keys = [`email:${email}`, ...rows.map((r) => r.key).filter((k) => k.startsWith(prefix))];
  const { count } = await p.signInThrottle.deleteMany({ where: { key: { in: keys } } });
  return count;
}
