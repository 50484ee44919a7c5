/**
 * The fake provider in a child process (./main.ts, forked with an IPC channel), for benchmarks: a
 * real provider's work happens in another process, so the fake's CPU must not be counted as ours.
 * Control goes over IPC (see main.ts), so the HTTP traffic the benchmark measures is only the
 * model calls themselves.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FakeControlMessage, FakeFrame } from "./main";
import type { FakeProvider, FakeProviderOptions } from "./server";

export interface FakeProviderProcess {
  url: string;
  baseUrls: FakeProvider["baseUrls"];
  pid: number;
  configure(options: Extract<FakeControlMessage, { type: "configure" }>["options"]): Promise<void>;
  /** Keep (true) or stop keeping (false) the streamed frames the fake writes. */
  record(on: boolean): Promise<void>;
  /** The frames kept since the last call; `at` is ms on the machine's monotonic clock (`monotonicMs`). */
  frames(): Promise<FakeFrame[]>;
  /** The child's `process.cpuUsage()`. */
  cpu(): Promise<NodeJS.CpuUsage>;
  stop(): Promise<void>;
}

/** ms on the monotonic clock (`process.hrtime`): the same clock in every process on the machine. */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

type Reply = { type: "ok"; id: number; frames?: FakeFrame[]; cpu?: NodeJS.CpuUsage };

export async function forkFakeProvider(
  options: Pick<FakeProviderOptions, "latencyMs" | "chunks" | "chunkDelayMs"> = {},
): Promise<FakeProviderProcess> {
  const args = ["--port", "0"];
  if (options.latencyMs !== undefined) args.push("--latency", String(options.latencyMs));
  if (options.chunks !== undefined) args.push("--chunks", String(options.chunks));
  if (options.chunkDelayMs !== undefined) args.push("--chunk-delay", String(options.chunkDelayMs));
  const child: ChildProcess = fork(fileURLToPath(new URL("./main.ts", import.meta.url)), args, {
    // `--import tsx` resolves from the project folder, whatever the caller's working directory
    cwd: fileURLToPath(new URL("../..", import.meta.url)),
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve(m: Reply): void; reject(e: Error): void }>();
  let exited: Error | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = new Error(`The fake provider process ended (${signal ?? `exit code ${code}`}).`);
      for (const w of waiting.values()) w.reject(exited);
      waiting.clear();
      resolve();
    }),
  );
  const listening = new Promise<{ url: string; baseUrls: FakeProvider["baseUrls"] }>((resolve, reject) => {
    child.on("message", (m: Reply | { type: "listening"; url: string; baseUrls: FakeProvider["baseUrls"] }) => {
      if (m.type === "listening") return resolve(m);
      const w = waiting.get(m.id);
      waiting.delete(m.id);
      w?.resolve(m);
    });
    child.once("error", reject);
    void exit.then(() => reject(exited));
  });
  const ask = (m: DistributiveOmit<FakeControlMessage, "id">) =>
    new Promise<Reply>((resolve, reject) => {
      if (exited) return reject(exited);
      const id = ++nextId;
      waiting.set(id, { resolve, reject });
      child.send({ ...m, id });
    });
  const { url, baseUrls } = await listening;
  return {
    url,
    baseUrls,
    pid: child.pid!,
    configure: async (o) => {
      await ask({ type: "configure", options: o });
    },
    record: async (on) => {
      await ask({ type: "record", on });
    },
    frames: async () => (await ask({ type: "frames" })).frames ?? [],
    cpu: async () => (await ask({ type: "cpu" })).cpu!,
    async stop() {
      if (!exited) child.kill("SIGTERM");
      await exit;
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
