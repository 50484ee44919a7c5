/**
 * The process's one globalThis slot. Next bundles server code into several chunks, each with
 * its own copy of every module, so anything that must be one per process (the web server's
 * host, the metrics registry, the budgets cache) hangs off this slot instead of module scope.
 * Each part is created on first use under its own name.
 */
const SLOT = Symbol.for("switchboard.host");

type Parts = Record<string, unknown>;

function parts(): Parts {
  const holder = globalThis as { [SLOT]?: Parts };
  holder[SLOT] ??= {};
  return holder[SLOT];
}

/** The part called `name`, created by `create` the first time any chunk asks for it. */
export function processPart<T>(name: string, create: () => T): T {
  const all = parts();
  if (!(name in all)) all[name] = create();
  return all[name] as T;
}

/** Forgets a part (a failed creation is retried on the next call). */
export function dropProcessPart(name: string): void {
  delete parts()[name];
}
