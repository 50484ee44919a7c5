// For e2e/scale-out.spec.ts: the services of compose.yaml as plain processes (the same command
// and environment, with the test's database, ports and data directories), a side-effect server
// that counts requests, and an event-stream client that follows a run across servers the way a
// browser's EventSource does (reconnecting with Last-Event-ID).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** The project folder (Playwright runs from it). */
export const ROOT = process.cwd();

export interface ComposeService {
  command: string[];
  environment: Record<string, string>;
}

/**
 * The services of compose.yaml: each one's `command:` (a one-line JSON list) and `environment:`
 * (KEY: "value" lines). `${VAR:?…}` and `${VAR:-default}` are left for the caller to replace.
 */
export function composeServices(file = join(ROOT, "compose.yaml")): Record<string, ComposeService> {
  const services: Record<string, ComposeService> = {};
  let inServices = false;
  let current: ComposeService | null = null;
  let inEnv = false;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (/^\S/.test(line)) {
      inServices = line.startsWith("services:");
      current = null;
      continue;
    }
    if (!inServices) continue;
    const service = /^ {2}([a-z0-9-]+):\s*$/.exec(line);
    if (service) {
      current = { command: [], environment: {} };
      services[service[1] as string] = current;
      inEnv = false;
      continue;
    }
    if (!current) continue;
    const key = /^ {4}([a-z_]+):\s*(.*)$/.exec(line);
    if (key) {
      inEnv = key[1] === "environment";
      if (key[1] === "command") current.command = JSON.parse(key[2] as string) as string[];
      continue;
    }
    const env = /^ {6}([A-Z0-9_]+):\s*"(.*)"\s*$/.exec(line);
    if (inEnv && env) current.environment[env[1] as string] = env[2] as string;
  }
  return services;
}

export interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  log(): string;
  /** SIGKILL to the whole process group (a container dying: bin/start.mjs and its Next server). */
  kill(): void;
  /** SIGTERM to the whole group, then waits for the exit. */
  stop(): Promise<void>;
}

/** Starts a service's command as a process group of its own (so it can be killed as a whole). */
export function startService(name: string, command: string[], env: Record<string, string>): Proc {
  const [bin, ...args] = command;
  const child = spawn(bin === "node" ? process.execPath : (bin as string), args, {
    cwd: ROOT,
    env: { ...process.env, ...env, NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let log = "";
  const append = (d: Buffer) => {
    log += d.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const group = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    name,
    child,
    exited,
    log: () => log,
    kill: () => group("SIGKILL"),
    async stop() {
      group("SIGTERM");
      const t = setTimeout(() => group("SIGKILL"), 20_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000,
  everyMs = 100,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      // not yet
    }
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export { countingServer, type Hit, prng } from "../../tests/support/counting-server";

export interface StreamedEvent {
  seq: number;
  type: string;
  /** Which server delivered it. */
  server: string;
}

/**
 * Follows a run's event stream like a browser's EventSource: reads `id:`/`data:` frames, and
 * when the connection breaks reconnects — to the next server of the list — with
 * `Last-Event-ID: <last id>`, until the stream ends (`event: end`).
 */
export async function followRun(
  servers: string[],
  runId: string,
  apiKey: string,
  options: { onEvent?: (e: StreamedEvent) => void; timeoutMs?: number } = {},
): Promise<{ events: StreamedEvent[]; reconnects: number }> {
  const events: StreamedEvent[] = [];
  let last = 0;
  let reconnects = 0;
  let which = 0;
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  for (;;) {
    if (Date.now() > deadline) throw new Error(`following run ${runId} timed out after ${events.length} events`);
    const base = servers[which % servers.length] as string;
    try {
      const res = await fetch(`${base}/api/runs/${runId}/events`, {
        headers: {
          authorization: `Bearer ${apiKey}`,
          accept: "text/event-stream",
          ...(last > 0 ? { "last-event-id": String(last) } : {}),
        },
      });
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) throw new Error("the stream closed");
        buffer += decoder.decode(value, { stream: true });
        let cut = buffer.indexOf("\n\n");
        while (cut >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          cut = buffer.indexOf("\n\n");
          if (/^event: end$/m.test(frame)) return { events, reconnects };
          const data = /^data: (.*)$/m.exec(frame)?.[1];
          const id = /^id: (\d+)$/m.exec(frame)?.[1];
          if (!data || !id) continue;
          const parsed = JSON.parse(data) as { seq: number; type: string };
          last = Number(id);
          const e = { seq: parsed.seq, type: parsed.type, server: base };
          events.push(e);
          options.onEvent?.(e);
        }
      }
    } catch {
      // the server went away (or refused): the next one, from the last event seen
      reconnects++;
      which++;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
