// What the CLI commands over use cases share: a host for the command's length, its use cases'
// refusals as bad input (exit 2, each field named), and JSON output.
import { AppError } from "@/lib/contracts/app-errors";
import { createHost, type Host } from "../host";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";

export const printJson = (ctx: CliContext, value: unknown) => ctx.io.stdout(`${JSON.stringify(value, null, 2)}\n`);

export async function withHost<T>(ctx: CliContext, fn: (host: Host) => Promise<T>): Promise<T> {
  const host = await createHost({ role: "cli", target: ctx.target, log: (line) => ctx.io.stderr(`${line}\n`) });
  ctx.onInterrupt?.(() => host.close());
  try {
    return await fn(host);
  } catch (error) {
    // Refusals of the use cases are bad input (exit 2), each field named.
    if (error instanceof AppError && error.status < 500 && error.code !== "unauthenticated")
      throw new CliError(error.message, EXIT.badInput, error.fieldErrors ?? []);
    throw error;
  } finally {
    await host.close();
  }
}
