// `switchboard worker`: runs lib/worker until SIGINT/SIGTERM (docs/cli.md, docs/deploy.md).
import { bootstrap } from "../db/bootstrap";
import { startWorker } from "../worker/worker";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";

export interface WorkerCommandOptions {
  concurrency: number;
  healthPort?: number;
  graceSeconds?: number;
}

export async function workerCommand(ctx: CliContext, opts: WorkerCommandOptions): Promise<number> {
  if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1 || opts.concurrency > 256)
    throw new CliError("--concurrency must be a whole number from 1 to 256.");
  if (
    opts.healthPort !== undefined &&
    (!Number.isInteger(opts.healthPort) || opts.healthPort < 0 || opts.healthPort > 65_535)
  )
    throw new CliError("--health-port must be a port number from 0 to 65535.");
  const grace = opts.graceSeconds ?? 10;
  if (!Number.isFinite(grace) || grace < 0 || grace > 3600)
    throw new CliError("--grace must be from 0 to 3600 seconds.");
  const { db } = await bootstrap({ target: ctx.target, log: (line) => ctx.io.stderr(`${line}\n`) });
  if (db.provider === "sqlite")
    ctx.io.stderr(
      "note: the database is the embedded SQLite file; a worker works, but scale-out (several workers and servers) needs PostgreSQL (DATABASE_URL=postgres://…).\n",
    );
  let worker: Awaited<ReturnType<typeof startWorker>>;
  try {
    worker = await startWorker(db, {
      concurrency: opts.concurrency,
      healthPort: opts.healthPort,
      graceMs: grace * 1000,
      log: (line) => ctx.io.stderr(`${line}\n`),
    });
  } catch (error) {
    await db.close();
    throw error;
  }
  const stop = async () => {
    await worker.stop();
    await db.close();
  };
  // SIGTERM / Ctrl-C: stop taking runs, let the runs in progress finish within the grace period,
  // hand the rest back to the queue, exit 0. A second signal exits at once (runs stay recoverable).
  ctx.onInterrupt?.(stop, { graceful: true });
  await worker.stopped;
  if (worker.failure) {
    await db.close().catch(() => {});
    ctx.io.stderr(
      `error: the worker stopped: ${worker.failure instanceof Error ? worker.failure.message : String(worker.failure)}\n`,
    );
    return 1;
  }
  return EXIT.ok;
}
