// Runs the `switchboard` command in-process (main() with its output captured) against a given
// database, for the CLI's tests: what a person would see on stdout and stderr, and the exit code.
import type { DatabaseTarget } from "../env";
import { main } from "./main";

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed stdout (as JSON.parse gives it: tests narrow it where they use it). */
  json: () => ReturnType<typeof JSON.parse>;
}

export async function runCliInProcess(target: DatabaseTarget, argv: string[]): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, {
    target,
    io: {
      stdout: (s) => {
        stdout += s;
      },
      stderr: (s) => {
        stderr += s;
      },
    },
  });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}
