// `switchboard worker`: runs lib/worker until SIGINT/SIGTERM.
import { bootstrap } from "../db/bootstrap";
import { startWorker } from "../worker/worker";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";

export async function workerCommand(ctx: CliContext, opts: { concurrency: number }): Promise<number> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 256)
    throw new CliError("--concurrency must be a whole number from 1 to 256.");
  const { db } = await bootstrap({ target: ctx.target, log: (line) => ctx.io.stderr(`${line}\n`) });
  if (db.provider === "sqlite")
    ctx.io.stderr(
      "note: the database is the embedded SQLite file; a worker works, but scale-out (several workers and servers) needs PostgreSQL (DATABASE_URL=postgres://…).\n",
    );
  const worker = await startWorker(db, {
    concurrency: opts.concurrency,
    log: (line) => ctx.io.stderr(`${line}\n`),
  });
  const stop = async () => {
    await worker.stop();
    await db.close();
  };
  // Ctrl-C / SIGTERM: stop claiming, let running runs pause at their next commit, exit 0.
  ctx.onInterrupt?.(stop, { graceful: true });
  await worker.stopped;
  return EXIT.ok;
}
