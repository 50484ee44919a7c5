/**
 * Simulates a process dying: `crashable(store)` forwards to the store until `crash()`, after which
 * every call from the dead process hangs forever (nothing more is written, nothing returns).
 * A new engine on the inner store plays the restarted process.
 */
import type { RunStore } from "@/lib/contracts/ports";

export function crashable(inner: RunStore): { store: RunStore; crash(): void } {
  let dead = false;
  const never = new Promise<never>(() => {});
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (dead) return never;
        const result = value.apply(target, args);
        // A call already in flight when the process dies never reports back either.
        return result instanceof Promise ? result.then((v) => (dead ? never : v)) : result;
      };
    },
  });
  return {
    store,
    crash() {
      dead = true;
    },
  };
}
