// w6-agents: agent steps through the real provider path (the AI SDK gateway over HTTP, the egress
// fetch, an OpenAI-compatible provider) against the fake provider at zero latency, next to the same
// chain on the simulated model, with persistence on.
//
// The fake provider runs in a CHILD PROCESS (tests/fake-provider/process.ts; HTTP on 127.0.0.1,
// control over IPC): a real provider's work happens on another machine, so the fake's own CPU
// (parsing the request, building the reply and its SSE frames, its HTTP server) is not counted as
// Switchboard's. It is reported on its own (`fake_cpu_ms_per_step`). Wall-clock figures still
// include the fake's time to answer (it is on the critical path of each step, as a provider's is).
//
// Figures:
//
// - overhead per agent step: median ms/step of a 10-agent chain on the provider minus the same on
//   the simulated model, not streamed and streamed (a runtime whose notifier takes live events:
//   every call streams its tokens to it), in wall-clock and in CPU of this process. Nothing else is
//   subtracted. `async_step_ms` splits it: the same chain on a model that answers one event-loop
//   turn later, i.e. the engine's cost for a step that waits for I/O (each such step commits on its
//   own; zero-latency simulated steps share group commits);
// - chunk → SSE client latency: from the fake provider writing a streamed chunk to its socket
//   (timestamp taken in the child right after `res.write`) to an SSE client in this process
//   receiving the `event: live` frame that carries that chunk's text, over a real HTTP connection
//   on 127.0.0.1. Both timestamps are on the machine's monotonic clock (`process.hrtime`, shared by
//   all processes on one machine); the child hands its frames over IPC after each run. The SSE
//   server here writes what the run event route (app/api/runs/[id]/events) writes for live events,
//   from the same runtime notifier subscription; it is not the Next route itself (no Next server,
//   session or auth check in the bench), so Next's own response streaming is not in the figure.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LiveRunEvent, ModelGateway } from "@/lib/contracts/ports";
import type { Db } from "../db/client";
import { seedWorkflowVersion } from "../db/fixtures";
import { systemClock } from "../engine/clock";
import { createModelGateway } from "../engine/models/gateway";
import { createPriceTable } from "../engine/prices";
import { agentChain } from "../engine/testing/builders";
import type { RunResult } from "../engine/types";
import { createProviderGateway, createProviderPriceTable, type ProviderConfig } from "../providers";
import { createRuntime, type Runtime } from "../runtime/engine";
import { createRuntimeNotifier, type RuntimeNotifier } from "../runtime/notifier";

export interface AgentsBenchResult {
  runs: number;
  /** ms per agent step, median over the repetitions (10-agent chains) */
  simulated_step_ms: number;
  /** the same chain on a model that answers one event-loop turn later (no provider work) */
  async_step_ms: number;
  provider_step_ms: number;
  provider_streamed_step_ms: number;
  /** provider − simulated */
  overhead_ms_per_step: number;
  overhead_streamed_ms_per_step: number;
  /**
   * CPU ms per step of this process (process.cpuUsage over the measured runs, all its threads; the
   * fake provider runs in a child process and is not included): steadier than wall-clock on a
   * loaded machine, where a step mostly waits for a core. Same four chains; `overhead` = provider −
   * simulated.
   */
  cpu_ms_per_step: { simulated: number; async: number; provider: number; provider_streamed: number };
  overhead_cpu_ms_per_step: number;
  overhead_streamed_cpu_ms_per_step: number;
  /** The fake provider's own CPU per step (its child process, same runs): what moved out of the figures above. */
  fake_cpu_ms_per_step: { provider: number; provider_streamed: number };
  /** fake chunk written → SSE client received, ms */
  stream_latency_ms: { p50: number; p95: number; max: number; samples: number };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}
const expectOk = (r: RunResult) => {
  if (r.status !== "succeeded") throw new Error(`w6-agents: run ${r.runId} ended ${r.status}: ${r.error?.message}`);
};

export async function benchAgents(db: Db, options: { quick?: boolean } = {}): Promise<AgentsBenchResult> {
  const { forkFakeProvider, monotonicMs } = await import("@/tests/fake-provider/process");
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  const fake = await forkFakeProvider();
  const providers: ProviderConfig[] = [
    { name: "fake", kind: "openai-compatible", baseUrl: fake.baseUrls.openaiCompatible, allowPrivateNetwork: true },
  ];
  const prices = createProviderPriceTable({
    providers,
    overrides: { "fake:fake-ok": { inputPerMTok: 1, outputPerMTok: 2 } },
    fallback: createPriceTable(),
  });
  const gateway = createProviderGateway({ providers, prices });
  // `async:…` answers like the simulated model but one event-loop turn later: an agent step that
  // waits for I/O (so it commits on its own instead of sharing a group commit with its neighbours)
  // without any provider work — what the engine costs for an asynchronous step.
  const asyncStub: ModelGateway = {
    generate: () =>
      new Promise((resolve) =>
        setImmediate(() =>
          resolve({ text: "Echo: an answer", usage: { inputTokens: 5, outputTokens: 4 }, finishReason: "stop" }),
        ),
      ),
  };
  const models = createModelGateway({ clock: systemClock, providers: { fake: gateway, async: asyncStub } });
  const notifier = createRuntimeNotifier();
  const runtimes: Runtime[] = [];
  const runtime = (live: boolean) => {
    const rt = createRuntime(db, { role: "bench", models, prices, notifier, liveEvents: live });
    runtimes.push(rt);
    return rt;
  };
  const quiet = runtime(false);
  const streamed = runtime(true);
  const sse = await liveSseServer(notifier, monotonicMs);
  try {
    const steps = 10;
    const simulatedDoc = agentChain(steps, { output: "Echo: the simulated answer" });
    const providerDoc = {
      ...simulatedDoc,
      name: "Chain of 10 on a provider",
      nodes: simulatedDoc.nodes.map((n) =>
        n.type === "agent"
          ? { ...n, config: { model: "fake:fake-ok", prompt: (n.config as { prompt: string }).prompt } }
          : n,
      ),
    };
    const simulated = { document: simulatedDoc, ...(await seedWorkflowVersion(db, simulatedDoc)) };
    const provider = { document: providerDoc, ...(await seedWorkflowVersion(db, providerDoc)) };
    const asyncDoc = {
      ...providerDoc,
      name: "Chain of 10 on an asynchronous stub",
      nodes: providerDoc.nodes.map((n) =>
        n.type === "agent" ? { ...n, config: { ...n.config, model: "async:stub" } } : n,
      ),
    };
    const asyncSource = { document: asyncDoc, ...(await seedWorkflowVersion(db, asyncDoc)) };
    const reps = options.quick ? 5 : 21;
    // The four chains run in interleaved rounds (7 runs each per round, 3 rounds), so a burst of
    // load on the machine spreads over all of them instead of landing on one. 20 warm-up runs
    // each (200 steps): with 5, the provider chain's CPU per step still fell by about a third
    // from one repetition to the next in one process (V8 still compiling the HTTP and provider
    // path), which is not what a long-running server pays per step.
    const chains = [
      { rt: quiet, source: simulated },
      { rt: quiet, source: asyncSource },
      { rt: quiet, source: provider },
      { rt: streamed, source: provider },
    ].map((c) => ({ ...c, times: [] as number[], cpuUs: 0, fakeCpuUs: 0 }));
    for (const c of chains)
      for (let i = 0; i < (options.quick ? 2 : 20); i++) expectOk(await c.rt.engine.execute(c.source, {}));
    const rounds = options.quick ? 1 : 3;
    for (let round = 0; round < rounds; round++)
      for (const c of chains) {
        // the child's CPU is read over IPC outside this process's measured window
        const fakeCpu = await fake.cpu();
        const cpu = process.cpuUsage();
        for (let i = 0; i < reps / rounds; i++) {
          const t = performance.now();
          expectOk(await c.rt.engine.execute(c.source, {}));
          c.times.push(performance.now() - t);
        }
        const used = process.cpuUsage(cpu);
        const fakeUsed = await fake.cpu();
        c.cpuUs += used.user + used.system;
        c.fakeCpuUs += fakeUsed.user + fakeUsed.system - fakeCpu.user - fakeCpu.system;
      }
    const [simulatedMs = 0, asyncMs = 0, providerMs = 0, streamedMs = 0] = chains.map(
      (c) => quantile(c.times, 0.5) / steps,
    );
    const cpuMs = chains.map((c) => c.cpuUs / 1000 / (c.times.length * steps));
    const [simulatedCpu = 0, asyncCpu = 0, providerCpu = 0, streamedCpu = 0] = cpuMs;
    const [, , fakeProviderCpu = 0, fakeStreamedCpu = 0] = chains.map(
      (c) => c.fakeCpuUs / 1000 / (c.times.length * steps),
    );

    // chunk → SSE client: one agent streaming 20 pieces, 10 ms apart, per run
    await fake.configure({ chunks: 20, chunkDelayMs: 10 });
    const one = agentChain(1);
    const streamDoc = {
      ...one,
      name: "One streaming agent",
      nodes: one.nodes.map((n) =>
        n.type === "agent"
          ? { ...n, config: { model: "fake:fake-ok", prompt: "Tell me about refunds, in twenty pieces." } }
          : n,
      ),
    };
    const streamSource = { document: streamDoc, ...(await seedWorkflowVersion(db, streamDoc)) };
    const latencies: number[] = [];
    const streamRuns = options.quick ? 5 : 30;
    for (let i = 0; i < streamRuns + 2; i++) {
      const runId = `bench-stream-${Date.now().toString(36)}-${i}`;
      const client = await sse.connect(runId);
      await fake.record(true);
      expectOk(await streamed.engine.execute(streamSource, {}, { runId }));
      await fake.record(false);
      const got = await client.close();
      const frames = await fake.frames();
      if (i < 2) continue; // warm-up
      // The k-th frame that carries text is the k-th live piece (one connection, in order).
      const textFrames = frames.filter((f) => /"content":"[^"]/.test(f.text));
      const n = Math.min(textFrames.length, got.length);
      for (let k = 0; k < n; k++) latencies.push(got[k]!.at - textFrames[k]!.at);
    }
    return {
      runs: reps * 4 + streamRuns,
      simulated_step_ms: round(simulatedMs, 4),
      async_step_ms: round(asyncMs, 4),
      provider_step_ms: round(providerMs, 4),
      provider_streamed_step_ms: round(streamedMs, 4),
      overhead_ms_per_step: round(providerMs - simulatedMs, 4),
      overhead_streamed_ms_per_step: round(streamedMs - simulatedMs, 4),
      cpu_ms_per_step: {
        simulated: round(simulatedCpu, 4),
        async: round(asyncCpu, 4),
        provider: round(providerCpu, 4),
        provider_streamed: round(streamedCpu, 4),
      },
      overhead_cpu_ms_per_step: round(providerCpu - simulatedCpu, 4),
      overhead_streamed_cpu_ms_per_step: round(streamedCpu - simulatedCpu, 4),
      fake_cpu_ms_per_step: { provider: round(fakeProviderCpu, 4), provider_streamed: round(fakeStreamedCpu, 4) },
      stream_latency_ms: {
        p50: round(quantile(latencies, 0.5)),
        p95: round(quantile(latencies, 0.95)),
        max: round(Math.max(...latencies)),
        samples: latencies.length,
      },
    };
  } finally {
    await sse.close();
    for (const rt of runtimes) await rt.close();
    notifier.close();
    await fake.stop();
  }
}

/**
 * An HTTP server that streams a run's live events as the run event route does (`event: live`,
 * no id, one JSON object per frame), and a client that reads them over 127.0.0.1 with fetch,
 * noting when each frame arrived (`now`: the clock the fake's frame times are on).
 */
async function liveSseServer(notifier: RuntimeNotifier, now: () => number) {
  const server: Server = createServer((req, res) => {
    const runId = decodeURIComponent((req.url ?? "/").slice(1));
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
    });
    res.write("retry: 1000\n\n");
    const off = notifier.subscribeLive(runId, (event: LiveRunEvent) =>
      res.write(`event: live\ndata: ${JSON.stringify(event)}\n\n`),
    );
    req.on("close", off);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    async connect(runId: string) {
      const abort = new AbortController();
      const res = await fetch(`${url}/${encodeURIComponent(runId)}`, { signal: abort.signal });
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      const got: { text: string; at: number }[] = [];
      let buf = "";
      const reading = (async () => {
        try {
          for (;;) {
            const { value, done } = await reader.read();
            if (done) return;
            const at = now();
            buf += decoder.decode(value, { stream: true });
            let i = buf.indexOf("\n\n");
            while (i >= 0) {
              const frame = buf.slice(0, i);
              buf = buf.slice(i + 2);
              const data = /^data: (.*)$/m.exec(frame);
              if (frame.startsWith("event: live") && data)
                got.push({ text: (JSON.parse(data[1]!) as LiveRunEvent).text, at });
              i = buf.indexOf("\n\n");
            }
          }
        } catch {
          // aborted
        }
      })();
      return {
        async close() {
          // the last frames may still be on their way
          await new Promise((r) => setTimeout(r, 20));
          abort.abort();
          await reading;
          return got;
        },
      };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
