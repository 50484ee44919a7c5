// `switchboard` — the command line (bin/switchboard.mjs runs this through tsx). docs/cli.md
// lists every command, flag and exit code.
import { Command, CommanderError } from "commander";
import type { DatabaseTarget } from "../env";
import {
  approvalsCommand,
  type CliContext,
  decideCommand,
  recoverCommand,
  runCommand,
  runsShowCommand,
  validateCommand,
} from "./commands";
import { CliError, type CliIo, EXIT, formatIssues, processIo } from "./io";

export interface MainOptions {
  io?: CliIo;
  target?: DatabaseTarget;
  /** Install SIGINT/SIGTERM handlers (the real process; not in-process tests). */
  handleSignals?: boolean;
}

export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo;
  const interrupts: (() => Promise<void>)[] = [];
  let graceful = false;
  const ctx: CliContext = {
    io,
    target: options.target,
    onInterrupt: (fn, o) => {
      interrupts.push(fn);
      if (o?.graceful) graceful = true;
    },
  };
  let code: number = EXIT.ok;
  let jsonMode = false;

  const program = new Command()
    .name("switchboard")
    .description("Run and manage Switchboard workflows from the command line.")
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout(s), writeErr: (s) => io.stderr(s) });

  const json = (cmd: Command) => cmd.option("--json", "print JSON instead of text");
  const set = (c: number) => {
    code = c;
  };
  const jsonFlag = (opts: { json?: boolean }) => {
    jsonMode = Boolean(opts.json);
    return opts;
  };

  json(
    program.command("validate").argument("<file>", "workflow JSON file").description("Check a workflow document"),
  ).action(async (file: string, opts) => set(await validateCommand(ctx, file, jsonFlag(opts))));

  json(
    program
      .command("run")
      .argument("<file>", "workflow JSON file")
      .option("--input <json>", "run input as JSON, or @file to read it from a file")
      .description("Run a workflow to its end or its first pause"),
  ).action(async (file: string, opts) => set(await runCommand(ctx, file, jsonFlag(opts))));

  json(
    program
      .command("approvals")
      .option("--run <id>", "only this run's approvals")
      .description("List pending approvals"),
  ).action(async (opts) => set(await approvalsCommand(ctx, jsonFlag(opts))));

  json(
    program
      .command("decide")
      .argument("<approvalId>", "approval id (see `switchboard approvals`)")
      .argument("<decision>", "approve or reject")
      .option("--comment <text>", "comment recorded with the decision")
      .option("--data <json>", "edited data (JSON or @file), when the approval allows editing")
      .description("Decide an approval and carry the run on"),
  ).action(async (id: string, decision: string, opts) => set(await decideCommand(ctx, id, decision, jsonFlag(opts))));

  const runs = program.command("runs").description("Inspect runs");
  json(runs.command("show").argument("<runId>", "run id").description("Show a run's result")).action(
    async (id: string, opts) => set(await runsShowCommand(ctx, id, jsonFlag(opts))),
  );

  json(
    program
      .command("recover")
      .description("Resume runs interrupted by a crash, fail runs past their deadline, expire approvals"),
  ).action(async (opts) => set(await recoverCommand(ctx, jsonFlag(opts))));

  json(
    program
      .command("bench")
      .option("--postgres [url]", "run on PostgreSQL (default TEST_POSTGRES_URL or the local server)")
      .option("--quick", "fewer repetitions (smoke test)")
      .option(
        "--only <workloads>",
        "comma-separated workloads: w1-chain-10,w1-chain-100,w2-fanout-50,w3-throughput,w4-hitl",
      )
      .description("Benchmark the engine with persistence on (one JSON object per line)"),
  ).action(async (opts) => {
    const { benchCommand } = await import("./bench");
    set(await benchCommand(ctx, jsonFlag(opts)));
  });

  program
    .command("worker")
    .option("--concurrency <n>", "runs executed at once", "4")
    .description("Execute queued runs from the shared database until stopped (PostgreSQL scale-out)")
    .action(async (opts) => {
      const { workerCommand } = await import("./worker");
      set(await workerCommand(ctx, { concurrency: Number(opts.concurrency) }));
    });

  if (options.handleSignals) {
    let interrupted = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (interrupted) process.exit(EXIT.interrupted);
      interrupted = true;
      if (graceful) {
        io.stderr(`\n${signal}: stopping…\n`);
        // the command returns on its own once stopped
        void Promise.allSettled(interrupts.map((fn) => fn()));
        return;
      }
      io.stderr(`\n${signal}: stopping; interrupted runs stay recoverable (switchboard recover).\n`);
      void Promise.allSettled(interrupts.map((fn) => fn())).then(() => process.exit(EXIT.interrupted));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  }

  try {
    await program.parseAsync(argv, { from: "user" });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help / --version exit 0; usage errors (unknown command or option, missing argument) exit 2
      return error.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    }
    if (error instanceof CliError) {
      io.stderr(`error: ${error.message}\n${formatIssues(error.issues)}`);
      if (jsonMode)
        io.stdout(`${JSON.stringify({ error: { message: error.message, issues: error.issues } }, null, 2)}\n`);
      return error.code;
    }
    io.stderr(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (process.env.SWITCHBOARD_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.failed;
  }
}
