// `switchboard users reset-password EMAIL`: the operator's password reset for an account
// (installation-wide, by e-mail). The new password comes from an environment variable
// (`--password-env VAR`; never from argv, which lands in shell history and `ps`) or is generated
// and printed once. A thin layer over lib/use-cases/settings/password-reset.ts, audited as "cli".
// See docs/cli.md.
import type { Command } from "commander";
import { AppError } from "@/lib/contracts/app-errors";
import { resetPassword } from "../use-cases/settings/password-reset";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";
import { printJson, withHost } from "./use-case-host";

export interface ResetPasswordOptions {
  passwordEnv?: string;
  json?: boolean;
}

export async function usersResetPasswordCommand(
  ctx: CliContext,
  email: string,
  opts: ResetPasswordOptions,
): Promise<number> {
  let newPassword: string | undefined;
  if (opts.passwordEnv !== undefined) {
    const value = process.env[opts.passwordEnv];
    if (!value)
      throw new CliError(
        `--password-env: the environment variable ${opts.passwordEnv} is not set (or empty).`,
        EXIT.badInput,
        [{ path: "--password-env", message: `${opts.passwordEnv} is not set (or empty)` }],
      );
    newPassword = value;
  }
  return withHost(ctx, async (host) => {
    let result: Awaited<ReturnType<typeof resetPassword>>;
    try {
      result = await resetPassword(host.db, { label: "cli" }, { email, newPassword });
    } catch (error) {
      // Refusals are bad input (exit 2). The password's problem names the variable it came from.
      if (error instanceof AppError && error.status < 500) {
        const issues = (error.fieldErrors ?? []).map((i) =>
          i.path === "newPassword" ? { path: `--password-env ${opts.passwordEnv}`, message: i.message } : i,
        );
        const first = issues[0];
        const message = first?.path.startsWith("--password-env") ? `${first.path}: ${first.message}.` : error.message;
        throw new CliError(message, EXIT.badInput, issues);
      }
      throw error;
    }
    const out = {
      email: result.email,
      ...(result.password !== undefined ? { password: result.password } : {}),
      sessionsEnded: result.sessionsEnded,
    };
    if (opts.json) printJson(ctx, out);
    else {
      const n = result.sessionsEnded;
      const ended =
        n === 0
          ? "No session of theirs was open"
          : `All ${n} of their open session${n === 1 ? " was" : "s were"} ended`;
      ctx.io.stdout(
        result.password !== undefined
          ? `${result.password}\n\nNew password for ${result.email}: hand it over to them now (it is not shown again). ${ended}; they sign in with it and should change it (until then it opens no other workspace).\n`
          : `Set the password of ${result.email} from ${opts.passwordEnv}. ${ended}; they sign in with it and should change it (until then it opens no other workspace).\n`,
      );
    }
    return EXIT.ok;
  });
}

/** Registers `users …` on the program (lib/cli/main.ts). */
export function registerUsersCommands(
  program: Command,
  ctx: CliContext,
  run: (fn: () => Promise<number>, opts: { json?: boolean }) => Promise<void>,
): void {
  const users = program.command("users").description("Accounts of the installation");
  users
    .command("reset-password")
    .argument("<email>", "the account's e-mail address")
    .option(
      "--password-env <var>",
      "read the new password from this environment variable (default: generate one and print it once)",
    )
    .option("--json", "print JSON instead of text")
    .description("Set a new password for an account and end all of its sessions")
    .action((email: string, opts) => run(() => usersResetPasswordCommand(ctx, email, opts), opts));
}
