/**
 * Runs the fake model provider as a process (for Playwright / e2e and manual tries):
 *
 *   node --import tsx tests/fake-provider/main.ts [--port N] [--host H] [--latency MS]
 *        [--chunks N] [--chunk-delay MS] [--api-key KEY]
 *
 * Prints one JSON line `{"url": …, "baseUrls": {…}}` on stdout once it listens; stops on SIGINT/SIGTERM.
 */
import { parseArgs } from "node:util";
import { startFakeProvider } from "./server";

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

const fake = await startFakeProvider({
  port: int("port", values.port),
  host: values.host,
  latencyMs: int("latency", values.latency),
  chunks: int("chunks", values.chunks),
  chunkDelayMs: int("chunk-delay", values["chunk-delay"]),
  apiKey: values["api-key"],
});
console.log(JSON.stringify({ url: fake.url, baseUrls: fake.baseUrls }));

for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.on(signal, () => {
    fake.stop().then(() => process.exit(0));
  });
