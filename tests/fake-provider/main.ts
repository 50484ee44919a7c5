/**
 * Runs the fake model provider as a process (for Playwright / e2e, benchmarks and manual tries):
 *
 *   node --import tsx tests/fake-provider/main.ts [--port N] [--host H] [--latency MS]
 *        [--chunks N] [--chunk-delay MS] [--api-key KEY]
 *
 * Prints one JSON line `{"url": …, "baseUrls": {…}}` on stdout once it listens; stops on SIGINT/SIGTERM.
 *
 * Started with an IPC channel (`child_process.fork`), it also sends `{ type: "listening", url,
 * baseUrls }` and answers these messages, each with `{ type: "ok", id, … }` (`id` echoed):
 * `{ type: "configure", id, options }` (latency, chunks, chunk delay, key), `{ type: "record",
 * id, on }` (keep each streamed frame written from now on, with the time `res.write` returned on
 * the monotonic clock `process.hrtime`, which every process on the machine shares), `{ type:
 * "frames", id }` (answers `frames` and forgets them) and `{ type: "cpu", id }` (answers `cpu`:
 * this process's `process.cpuUsage()`). It stops when the channel closes (its parent ended).
 */
import { parseArgs } from "node:util";
import { type FakeProviderOptions, startFakeProvider } from "./server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    latency: { type: "string", default: "0" },
    chunks: { type: "string", default: "3" },
    "chunk-delay": { type: "string", default: "0" },
    "api-key": { type: "string" },
  },
});

const int = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} must be a whole number ≥ 0 (got ${v}).`);
    process.exit(2);
  }
  return n;
};

/** A streamed frame as the IPC channel reports it: `at` in ms on the monotonic clock (process.hrtime). */
export interface FakeFrame {
  request: number;
  index: number;
  text: string;
  at: number;
}

export type FakeControlMessage =
  | {
      type: "configure";
      id: number;
      options: Pick<FakeProviderOptions, "latencyMs" | "chunks" | "chunkDelayMs" | "apiKey" | "listing">;
    }
  | { type: "record"; id: number; on: boolean }
  | { type: "frames"; id: number }
  | { type: "cpu"; id: number };

let recording = false;
let frames: FakeFrame[] = [];
const fake = await startFakeProvider({
  port: int("port", values.port),
  host: values.host,
  latencyMs: int("latency", values.latency),
  chunks: int("chunks", values.chunks),
  chunkDelayMs: int("chunk-delay", values["chunk-delay"]),
  apiKey: values["api-key"],
  onFrame: (f) => {
    if (recording) frames.push({ request: f.request, index: f.index, text: f.text, at: monotonicMs() });
  },
});
console.log(JSON.stringify({ url: fake.url, baseUrls: fake.baseUrls }));

function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const stop = () => {
  fake.stop().then(() => process.exit(0));
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, stop);

if (process.send) {
  const send = process.send.bind(process);
  send({ type: "listening", url: fake.url, baseUrls: fake.baseUrls });
  process.on("disconnect", stop);
  process.on("message", (m: FakeControlMessage) => {
    if (m.type === "configure") {
      fake.configure(m.options);
      send({ type: "ok", id: m.id });
    } else if (m.type === "record") {
      recording = m.on;
      send({ type: "ok", id: m.id });
    } else if (m.type === "frames") {
      send({ type: "ok", id: m.id, frames });
      frames = [];
    } else if (m.type === "cpu") send({ type: "ok", id: m.id, cpu: process.cpuUsage() });
  });
}
