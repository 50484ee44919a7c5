import { createEngine } from "@/lib/engine/engine";
import { createMemoryStore } from "@/lib/engine/testing/memory-store";
import { agentChain, fanOut } from "@/lib/engine/testing/builders";
import type { RunStore } from "@/lib/engine/ports";
// a store that keeps only the run row (no copies): measures the engine itself
const mem = createMemoryStore();
const nullStore: RunStore = {
  ...mem,
  async commit(lease, input) { return { lastSeq: 0, events: (input.events ?? []).map((e, i) => ({ ...e, runId: lease.runId, seq: i, createdAt: new Date() })) }; },
};
const which = process.argv[2] ?? "null";
const store = which === "null" ? nullStore : mem;
const engine = createEngine({ store });
const doc = agentChain(100);
for (let i = 0; i < 10; i++) await engine.execute({ document: doc }, {});
let t0 = performance.now();
const N = 30;
for (let i = 0; i < N; i++) await engine.execute({ document: doc }, {});
let ms = (performance.now() - t0) / N;
console.log(which, "chain100 ms/run", ms.toFixed(2), "per step", (ms / 100).toFixed(4));
const f = fanOut(50);
for (let i = 0; i < 5; i++) await engine.execute({ document: f }, {});
t0 = performance.now();
for (let i = 0; i < N; i++) await engine.execute({ document: f }, {});
console.log(which, "fanout50 ms/run", ((performance.now() - t0) / N).toFixed(2));
const c5 = agentChain(5);
t0 = performance.now();
for (let i = 0; i < 500; i += 10) await Promise.all(Array.from({ length: 10 }, () => engine.execute({ document: c5 }, {})));
console.log(which, "w3 runs/s", (500 / ((performance.now() - t0) / 1000)).toFixed(0));
