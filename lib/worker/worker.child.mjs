// A worker in a process of its own for heartbeat-takeover.test.ts, under a lease owner name that
// says it runs on another host (so its pid cannot be checked: only its heartbeat tells whether it
// lives). Usage: node worker.child.mjs <target JSON> <owner> <concurrency>. Prints "ready" once started.
import { register } from "tsx/esm/api";

const root = new URL("../../", import.meta.url);
register({ tsconfig: new URL("tsconfig.json", root).pathname });
const { openDb } = await import(new URL("lib/db/client.ts", root).href);
const { startWorker } = await import(new URL("lib/worker/worker.ts", root).href);

const [target, owner, concurrency] = [JSON.parse(process.argv[2]), process.argv[3], Number(process.argv[4] ?? "2")];
const db = await openDb(target);
const worker = await startWorker(db, { owner, concurrency, pollMs: 100, sweepMs: 500, sweeps: false });
process.stdout.write("ready\n");
process.once("SIGTERM", async () => {
  await worker.stop();
  await db.close();
  process.exit(0);
});
