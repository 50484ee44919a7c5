// `switchboard` — the command line (bin/switchboard.mjs runs this through tsx). docs/cli.md
// lists every command, flag and exit code.
import { Command, CommanderError } from "commander";
import { type DatabaseTarget, readEnv } from "../env";
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
import { registerPlatformCommands } from "./platform";
import { registerUsersCommands } from "./users";

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

  const mcp = program.command("mcp").description("MCP servers of the workspace (tools for tool nodes and agents)");
  const collect = (value: string, list: string[] = []) => [...list, value];
  json(
    mcp
      .command("add")
      .argument("<name>", "what tool nodes and agents call the server by")
      .option("--url <url>", "Streamable HTTP endpoint")
      .option("--credential <name>", "workspace credential sent as a bearer token (with --url)")
      .option("--command <cmd>", "stdio: the command to start, pinned as given")
      .option("--arg <arg>", "stdio: one argument of the command (repeat for more)", collect)
      .option(
        "--env <NAME=CREDENTIAL>",
        "stdio: an environment variable from a workspace credential (repeatable)",
        collect,
      )
      .option("--approval <tool>", 'a tool whose every call waits for a person ("*": all; repeatable)', collect)
      .option("--no-discover", "do not ask the server for its tools now")
      .description("Register an MCP server (Streamable HTTP URL, or a stdio command) and list its tools"),
  ).action(async (name: string, opts) => {
    const { mcpAddCommand } = await import("./mcp");
    set(await mcpAddCommand(ctx, name, jsonFlag(opts)));
  });
  json(
    mcp
      .command("tools")
      .argument("<name>", "server name")
      .description("Ask a server for its tools (and their input schemas) and store the list"),
  ).action(async (name: string, opts) => {
    const { mcpToolsCommand } = await import("./mcp");
    set(await mcpToolsCommand(ctx, name, jsonFlag(opts)));
  });
  json(mcp.command("list").description("List the registered MCP servers")).action(async (opts) => {
    const { mcpListCommand } = await import("./mcp");
    set(await mcpListCommand(ctx, jsonFlag(opts)));
  });
  json(mcp.command("remove").argument("<name>", "server name").description("Remove an MCP server")).action(
    async (name: string, opts) => {
      const { mcpRemoveCommand } = await import("./mcp");
      set(await mcpRemoveCommand(ctx, name, jsonFlag(opts)));
    },
  );

  // providers, prices, egress, secrets (lib/cli/platform.ts)
  registerPlatformCommands(program, ctx, async (fn, opts) => {
    jsonFlag(opts);
    set(await fn());
  });

  // users reset-password (lib/cli/users.ts)
  registerUsersCommands(program, ctx, async (fn, opts) => {
    jsonFlag(opts);
    set(await fn());
  });

  // API keys and workflow import (lib/cli/keys.ts)
  const keys = program.command("keys").description("API keys of the workspace");
  json(
    keys
      .command("create")
      .requiredOption("--name <name>", "what the key is for")
      .requiredOption(
        "--scopes <list>",
        "comma-separated: runs:read,runs:write,approvals:decide,workflows:read,workflows:write,admin",
      )
      .option("--role <role>", "admin | editor | approver | viewer (default editor)")
      .option("--expires <days>", "stop working after this many days")
      .option("--workspace <slug>", "the workspace (default: the demo workspace)")
      .description("Create an API key and print it (the only time it is shown)"),
  ).action(async (opts) => {
    const { keysCreateCommand } = await import("./keys");
    set(await keysCreateCommand(ctx, jsonFlag(opts) as import("./keys").KeysCreateOptions));
  });
  const workflows = program.command("workflows").description("Workflows of the workspace");
  json(
    workflows
      .command("import")
      .argument("<file>", "workflow JSON file")
      .option("--publish", "publish the imported workflow at once")
      .option("--workspace <slug>", "the workspace (default: the demo workspace)")
      .description("Import a workflow; prints its id (and, published with a webhook trigger, its URL)"),
  ).action(async (file: string, opts) => {
    const { workflowsImportCommand } = await import("./keys");
    set(await workflowsImportCommand(ctx, file, jsonFlag(opts)));
  });

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

  json(
    program
      .command("audit")
      .description("Check the audit trail")
      .command("verify")
      .option("--workspace <slug>", "only this workspace")
      .description("Verify the audit trail's hash chain; names the first broken link (exit 1)"),
  ).action(async (opts) => {
    const { auditVerifyCommand } = await import("./audit");
    set(await auditVerifyCommand(ctx, jsonFlag(opts)));
  });

  program
    .command("worker")
    .option("--concurrency <n>", "runs executed at once", "4")
    .option("--health-port <port>", "serve /live, /ready, /health and /metrics on this port")
    .option("--grace <seconds>", "on SIGTERM, how long runs in progress may go on before they are handed back", "10")
    .description("Execute queued runs from the shared database until stopped (PostgreSQL scale-out)")
    .action(async (opts) => {
      const { workerCommand } = await import("./worker");
      set(
        await workerCommand(ctx, {
          concurrency: Number(opts.concurrency),
          healthPort: opts.healthPort === undefined ? undefined : Number(opts.healthPort),
          graceSeconds: Number(opts.grace),
        }),
      );
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
    if (debugging() && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT.failed;
  }
}

/** SWITCHBOARD_DEBUG is set (false when the environment itself is what failed to parse). */
function debugging(): boolean {
  try {
    return Boolean(readEnv().SWITCHBOARD_DEBUG);
  } catch {
    return false;
  }
}
