// `switchboard providers …`, `prices set`, `egress …` and `secrets rotate`: the admin side of
// model providers, prices, the egress allow-list and the credentials vault, on the embedded demo
// workspace (or `--workspace SLUG`). Each is a thin layer over lib/use-cases/models, audited as
// "cli". See docs/cli.md.
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { loadSecrets, secretsPath } from "../auth/secrets";
import { cliWorkspace } from "../db/workflows-store";
import { findWorkspaceBySlug } from "../db/workspaces";
import type { Host } from "../host";
import {
  addProvider,
  allowEgressHost,
  getEgress,
  listProviders,
  rotateSecrets,
  setPrice,
  testProvider,
} from "../use-cases/models";
import type { Scope } from "../use-cases/scope";
import { MIN_SECRET_LENGTH } from "../vault/seal";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";
import { printJson, withHost } from "./use-case-host";

/** The demo workspace (or the default one) unless `--workspace SLUG` names another. */
async function scopeOf(host: Host, slug: string | undefined): Promise<Scope> {
  const ws = slug ? await findWorkspaceBySlug(host.db, slug) : await cliWorkspace(host.db);
  if (!ws) throw new CliError(`There is no workspace with the slug "${slug}".`, EXIT.badInput);
  return { workspaceId: ws.id, actor: { label: "cli" } };
}

interface WorkspaceFlag {
  workspace?: string;
  json?: boolean;
}

export async function providersAddCommand(
  ctx: CliContext,
  name: string,
  opts: WorkspaceFlag & { kind: string; baseUrl?: string; apiKeyEnv?: string; credential?: string; api?: string },
): Promise<number> {
  let apiKey: string | undefined;
  if (opts.apiKeyEnv) {
    apiKey = process.env[opts.apiKeyEnv];
    if (!apiKey) throw new CliError(`The environment variable ${opts.apiKeyEnv} is not set (or empty).`, EXIT.badInput);
  }
  return withHost(ctx, async (host) => {
    const scope = await scopeOf(host, opts.workspace);
    const added = await addProvider(host.platform, scope, {
      name,
      kind: opts.kind as "openai",
      ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(opts.credential ? { credential: opts.credential } : {}),
      ...(opts.api ? { api: opts.api as "chat" } : {}),
    });
    if (opts.json) printJson(ctx, added);
    else
      ctx.io.stdout(
        `Added the model provider ${added.name} (${added.kind})${apiKey ? "; its key is sealed in the vault" : ""}. Test it with: switchboard providers test ${added.name}\n`,
      );
    return EXIT.ok;
  });
}

export async function providersListCommand(ctx: CliContext, opts: WorkspaceFlag): Promise<number> {
  return withHost(ctx, async (host) => {
    const scope = await scopeOf(host, opts.workspace);
    const list = await listProviders(host.platform, scope.workspaceId);
    if (opts.json) printJson(ctx, list);
    else if (list.length === 0)
      ctx.io.stdout("No model providers. Add one with: switchboard providers add NAME --kind …\n");
    else
      ctx.io.stdout(
        list
          .map(
            (p) =>
              `${p.name}  ${p.kind}  ${p.baseUrl ?? "(default URL)"}  key: ${p.credential ? (p.keySet ? "set" : "missing") : "none"}  models: ${p.models ? p.models.length : "not listed"}\n`,
          )
          .join(""),
      );
    return EXIT.ok;
  });
}

export async function providersTestCommand(
  ctx: CliContext,
  name: string,
  opts: WorkspaceFlag & { model?: string },
): Promise<number> {
  return withHost(ctx, async (host) => {
    const scope = await scopeOf(host, opts.workspace);
    const r = await testProvider(host.platform, scope, { name, ...(opts.model ? { model: opts.model } : {}) });
    if (opts.json) printJson(ctx, r);
    else if (r.ok)
      ctx.io.stdout(
        `${name}: connected in ${r.latencyMs} ms${r.models !== null ? ` (${r.models} models listed)` : ""}\n`,
      );
    else ctx.io.stdout(`${name}: failed after ${r.latencyMs} ms: ${r.error.message}\n`);
    return r.ok ? EXIT.ok : EXIT.failed;
  });
}

const number = (value: string, flag: string): number => {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n))
    throw new CliError(`${flag} must be a number (USD per million tokens).`, EXIT.badInput);
  return n;
};

export async function pricesSetCommand(
  ctx: CliContext,
  model: string,
  opts: WorkspaceFlag & { input: string; output: string },
): Promise<number> {
  const inputPerMTok = number(opts.input, "--input");
  const outputPerMTok = number(opts.output, "--output");
  return withHost(ctx, async (host) => {
    const scope = await scopeOf(host, opts.workspace);
    const set = await setPrice(host.platform, scope, { model, inputPerMTok, outputPerMTok });
    if (opts.json) printJson(ctx, set);
    else ctx.io.stdout(`${set.model}: $${set.inputPerMTok} input / $${set.outputPerMTok} output per million tokens\n`);
    return EXIT.ok;
  });
}

export async function egressAllowCommand(ctx: CliContext, hostPort: string, opts: WorkspaceFlag): Promise<number> {
  return withHost(ctx, async (host) => {
    const scope = await scopeOf(host, opts.workspace);
    const view = await allowEgressHost(host.platform, scope, { host: hostPort });
    if (opts.json) printJson(ctx, view);
    else ctx.io.stdout(`Allowed ${view.allowHosts.at(-1)} on private networks.\n`);
    return EXIT.ok;
  });
}

export async function egressListCommand(ctx: CliContext, opts: WorkspaceFlag): Promise<number> {
  return withHost(ctx, async (host) => {
    const scope = await scopeOf(host, opts.workspace);
    const view = await getEgress(host.platform, scope.workspaceId);
    const all = { ...view, installation: host.env.SWITCHBOARD_EGRESS_ALLOW };
    if (opts.json) printJson(ctx, all);
    else {
      if (view.allowPrivateNetwork)
        ctx.io.stdout("SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1: every private address is allowed.\n");
      const lines = [
        ...view.allowHosts,
        ...all.installation.map((h) => `${h}  (SWITCHBOARD_EGRESS_ALLOW, every workspace)`),
      ];
      ctx.io.stdout(lines.length ? `${lines.join("\n")}\n` : "No private hosts allowed.\n");
    }
    return EXIT.ok;
  });
}

/**
 * Re-seals every credential under a new vault key. The new key comes from `--new-key-env VAR`
 * (at least 32 characters), or is generated when the current key lives in <data dir>/secrets.json.
 * With a key file, the new key is written next to it first (secrets.json.next), the rows are
 * re-sealed in one transaction, then the file is replaced; with SWITCHBOARD_SECRET_KEY in the
 * environment, the operator sets it to the new value on every server afterwards.
 */
export async function secretsRotateCommand(
  ctx: CliContext,
  opts: { newKeyEnv?: string; json?: boolean },
): Promise<number> {
  const env = process.env;
  const secrets = loadSecrets();
  const fromEnv = secrets.source.SWITCHBOARD_SECRET_KEY === "env";
  let newSecret: string;
  if (opts.newKeyEnv) {
    newSecret = env[opts.newKeyEnv] ?? "";
    if (newSecret.length < MIN_SECRET_LENGTH)
      throw new CliError(
        `${opts.newKeyEnv} must hold the new key, at least ${MIN_SECRET_LENGTH} characters.`,
        EXIT.badInput,
      );
  } else if (fromEnv) {
    throw new CliError(
      "SWITCHBOARD_SECRET_KEY is set in the environment: put the new key in another variable and pass --new-key-env NAME, then set SWITCHBOARD_SECRET_KEY to it on every server.",
      EXIT.badInput,
    );
  } else newSecret = randomBytes(32).toString("base64url");
  const oldSecret = secrets.SWITCHBOARD_SECRET_KEY;
  if (newSecret === oldSecret) throw new CliError("The new key is the current key.", EXIT.badInput);

  const file = secretsPath();
  const next = `${file}.next`;
  if (!fromEnv) {
    const stored = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
    writeFileSync(next, `${JSON.stringify({ ...stored, SWITCHBOARD_SECRET_KEY: newSecret }, null, 2)}\n`, {
      mode: 0o600,
    });
  }
  let result: Awaited<ReturnType<typeof rotateSecrets>>;
  try {
    result = await withHost(ctx, (host) => rotateSecrets(host.db, { oldSecret, newSecret, actorLabel: "cli" }));
  } catch (error) {
    if (!fromEnv) rmSync(next, { force: true });
    throw error;
  }
  if (!fromEnv) {
    renameSync(next, file);
    chmodSync(file, 0o600);
  }
  const where = fromEnv
    ? `Now set SWITCHBOARD_SECRET_KEY to the value of ${opts.newKeyEnv} on every server and restart them.`
    : `The new key is in ${file}. Restart running servers and workers so they use it.`;
  if (opts.json) printJson(ctx, { ...result, keyFile: fromEnv ? null : file });
  else
    ctx.io.stdout(
      `Re-sealed ${result.resealed} credential(s) under key ${result.newKeyId} (was ${result.oldKeyId}; ${result.alreadyCurrent} already current). ${where}\n`,
    );
  return EXIT.ok;
}

/** Registers the commands on the program (lib/cli/main.ts). */
export function registerPlatformCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => Promise<number>, opts: { json?: boolean }) => Promise<void>,
): void {
  const ws = (cmd: Command) =>
    cmd
      .option("--workspace <slug>", "the workspace (default: the demo workspace)")
      .option("--json", "print JSON instead of text");

  const providers = program.command("providers").description("Model providers of a workspace");
  ws(
    providers
      .command("add")
      .argument("<name>", "the PROVIDER part of model ids (lower-case letters, digits, dashes)")
      .requiredOption("--kind <kind>", "openai | anthropic | google | openai-compatible")
      .option("--base-url <url>", "the API's base URL (required for openai-compatible)")
      .option("--api-key-env <var>", "read the API key from this environment variable (sealed in the vault)")
      .option("--credential <name>", "use an existing credential as the API key")
      .option("--api <api>", "openai only: responses (default) or chat")
      .description("Add a model provider"),
  ).action((name: string, opts) => run(() => providersAddCommand(ctx, name, opts), opts));
  ws(providers.command("list").description("List the model providers (never their keys)")).action((opts) =>
    run(() => providersListCommand(ctx, opts), opts),
  );
  ws(
    providers
      .command("test")
      .argument("<name>", "provider name")
      .option("--model <id>", "for servers without a model listing: ask this model for one token")
      .description("Test a provider's connection and key (lists its models)"),
  ).action((name: string, opts) => run(() => providersTestCommand(ctx, name, opts), opts));

  const prices = program.command("prices").description("Model prices (USD per million tokens)");
  ws(
    prices
      .command("set")
      .argument("<model>", "PROVIDER:MODEL")
      .requiredOption("--input <usd>", "USD per million input tokens")
      .requiredOption("--output <usd>", "USD per million output tokens")
      .description("Set a model's price (wins over the default)"),
  ).action((model: string, opts) => run(() => pricesSetCommand(ctx, model, opts), opts));

  const egress = program.command("egress").description("Hosts on private networks that outbound calls may reach");
  ws(
    egress
      .command("allow")
      .argument("<host>", "HOST or HOST:PORT, e.g. 127.0.0.1:11434")
      .description("Allow a host on a private or loopback address"),
  ).action((hostPort: string, opts) => run(() => egressAllowCommand(ctx, hostPort, opts), opts));
  ws(egress.command("list").description("List the allowed private hosts")).action((opts) =>
    run(() => egressListCommand(ctx, opts), opts),
  );

  const secrets = program.command("secrets").description("The credentials vault");
  secrets
    .command("rotate")
    .option(
      "--new-key-env <var>",
      "read the new key from this environment variable (default: generate one into secrets.json)",
    )
    .option("--json", "print JSON instead of text")
    .description("Re-seal every credential under a new SWITCHBOARD_SECRET_KEY")
    .action((opts) => run(() => secretsRotateCommand(ctx, opts), opts));
}
