import pg from "pg";
const counts = new Map<string, number>();
const orig = pg.Client.prototype.query;
(pg.Client.prototype as any).query = function (this: any, config: any, ...rest: any[]) {
  const text: string = typeof config === "string" ? config : (config?.text ?? "");
  const key = text.replace(/\s+/g, " ").slice(0, 90);
  counts.set(key, (counts.get(key) ?? 0) + 1);
  return (orig as any).call(this, config, ...rest);
};
const { openTestPostgres } = await import("@/lib/db/testing");
const { seedWorkflowVersion } = await import("@/lib/db/fixtures");
const { agentChain } = await import("@/lib/engine/testing/builders");
const { createRuntime } = await import("@/lib/runtime/engine");
const { startWorker } = await import("@/lib/worker/worker");
const db = await openTestPostgres();
const doc = agentChain(5);
const ids = await seedWorkflowVersion(db, doc);
const producer = createRuntime(db, { role: "bench", enqueue: true, execute: false });
const w = await startWorker(db, { concurrency: 10, pollMs: 1000, sweeps: false });
const N = Number(process.env.N ?? 200);
// warm
counts.clear();
const t = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 10 }, async () => { while (next < N) { next++; await producer.engine.startRun({ document: doc, ...ids }, {}, { trigger: "api" }); } }));
while (w.executed < N) await new Promise((r) => setTimeout(r, 10));
const s = (performance.now() - t) / 1000;
console.log("runs/s", N / s);
const sorted = [...counts].sort((a, b) => b[1] - a[1]);
let total = 0;
for (const [k, v] of sorted) { total += v; console.log(String((v / N).toFixed(2)).padStart(6), k); }
console.log("per run total", total / N);
await w.stop();
await producer.close();
await db.dispose();
