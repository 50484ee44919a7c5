// Input and output of the `switchboard` command: exit codes, the error type that carries one,
// reading a workflow file and `JSON | @file` arguments with errors that name what was wrong.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Issue } from "@/lib/contracts/errors";

/** Exit codes (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** run failed or cancelled; validate: invalid; decide: already decided */
  failed: 1,
  /** bad input: unreadable file, invalid JSON, invalid workflow or input, unknown id, bad usage */
  badInput: 2,
  /** the run waits (approval, budget escalation) */
  waiting: 3,
  /** the run is being executed by another process (its lease is held elsewhere) */
  elsewhere: 4,
  /** interrupted by a signal */
  interrupted: 130,
} as const;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** A failure that ends the command with `code` after printing `message` (and the issues). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly code: number = EXIT.badInput,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Reads a file as text, or throws CliError naming the path and the reason. */
export function readTextFile(path: string, what = "file"): string {
  const full = resolve(path);
  try {
    return readFileSync(full, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "it does not exist"
        : code === "EACCES"
          ? "permission denied"
          : code === "EISDIR"
            ? "it is a folder"
            : (error as Error).message;
    throw new CliError(`Cannot read the ${what} ${path}: ${reason}.`);
  }
}

/** Parses JSON, or throws CliError naming where (`source`) and the line and column. */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message.replace(/^JSON\.parse: /, "");
    const pos = /position (\d+)/.exec(message);
    const offset = pos ? Number(pos[1]) : jsonErrorOffset(text);
    let where = "";
    if (offset !== null) {
      const before = text.slice(0, offset).split("\n");
      where = ` at line ${before.length}, column ${before[before.length - 1].length + 1}`;
    }
    throw new CliError(`${source} is not valid JSON${where}: ${message}`);
  }
}

/**
 * Offset of the first syntax error in `text` (null when it parses): a small recursive-descent
 * scan, because Node 20's JSON.parse messages do not always say where the problem is.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === "\\") {
        i++;
        if (text[i] === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? "")) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const number = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  const value = (depth: number): void => {
    if (depth > 10_000) fail();
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      ws();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ":") fail();
        i++;
        value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return;
        } else fail();
      }
    } else if (c === "[") {
      i++;
      ws();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else number();
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : null;
  } catch (at) {
    return typeof at === "number" ? Math.min(at, text.length) : null;
  }
}

/** `--input '{"a":1}'` or `--input @input.json`. */
export function readJsonArgument(value: string, option: string): unknown {
  if (value.startsWith("@")) {
    const path = value.slice(1);
    return parseJson(readTextFile(path, `${option} file`), `The ${option} file ${path}`);
  }
  return parseJson(value, `The ${option} value`);
}

export function formatIssues(issues: Issue[]): string {
  return issues.map((i) => `  - ${i.path || "(document)"}: ${i.message}\n`).join("");
}
