/**
 * Where an agent step's CPU goes on the provider path: the same 10-agent chain (engine and SQLite
 * persistence, as `w6-agents`) on five models, rounds interleaved, CPU ms per step from
 * process.cpuUsage (all threads of this process):
 *
 * - `simulated`: the simulated model (zero latency, steps share group commits);
 * - `async:stub`: answers one event-loop turn later (the engine's cost for a step that waits);
 * - `bare:x`: one HTTP round trip to the fake with node:http and a keep-alive agent, JSON in/out;
 * - `egress:x`: the same round trip through the egress fetch (lib/providers/egress-fetch.ts);
 * - `fake:fake-ok`: the provider gateway (AI SDK provider, OpenAI-compatible) over the egress fetch.
 *
 *   node --import tsx tests/fake-provider/step-cost.ts [--rounds 4] [--out-of-process]
 *
 * With --out-of-process the fake provider runs in a child process (./process.ts, as in `w6-agents`),
 * so its CPU is not counted (a real provider's work is not in our process either); without, it is.
 */
import http from "node:http";
import { parseArgs } from "node:util";
import type { ModelGateway, ModelRequest } from "@/lib/contracts/ports";
import { seedWorkflowVersion } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { systemClock } from "@/lib/engine/clock";
import { createModelGateway } from "@/lib/engine/models/gateway";
import { createPriceTable } from "@/lib/engine/prices";
import { agentChain } from "@/lib/engine/testing/builders";
import { createProviderGateway, createProviderPriceTable, type ProviderConfig } from "@/lib/providers";
import { createEgressFetch } from "@/lib/providers/egress-fetch";
import { createRuntime } from "@/lib/runtime/engine";
import { createRuntimeNotifier } from "@/lib/runtime/notifier";
import { forkFakeProvider } from "./process";
import { startFakeProvider } from "./server";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
const { values } = parseArgs({
  options: { rounds: { type: "string", default: "4" }, "out-of-process": { type: "boolean", default: false } },
});

let baseUrl: string;
let stop: () => Promise<void>;
if (values["out-of-process"]) {
  const child = await forkFakeProvider();
  baseUrl = child.baseUrls.openaiCompatible;
  stop = () => child.stop();
} else {
  const fake = await startFakeProvider();
  baseUrl = fake.baseUrls.openaiCompatible;
  stop = () => fake.stop();
}

const db = await openTestSqlite();
const providers: ProviderConfig[] = [{ name: "fake", kind: "openai-compatible", baseUrl, allowPrivateNetwork: true }];
const prices = createProviderPriceTable({
  providers,
  overrides: { "fake:fake-ok": { inputPerMTok: 1, outputPerMTok: 2 } },
  fallback: createPriceTable(),
});
const bodyOf = (req: ModelRequest) =>
  JSON.stringify({
    model: "fake-ok",
    messages: [{ role: "system", content: req.instructions ?? "" }, ...req.messages],
  });
type Reply = {
  choices: { message: { content: string } }[];
  usage: { prompt_tokens: number; completion_tokens: number };
};
const resultOf = (j: Reply) => ({
  text: j.choices[0]!.message.content,
  usage: { inputTokens: j.usage.prompt_tokens, outputTokens: j.usage.completion_tokens },
  finishReason: "stop" as const,
});
const egress = createEgressFetch({ allowPrivateNetwork: true });
const agent = new http.Agent({ keepAlive: true });
const models = createModelGateway({
  clock: systemClock,
  providers: {
    fake: createProviderGateway({ providers, prices }),
    async: {
      generate: () =>
        new Promise((resolve) =>
          setImmediate(() =>
            resolve({ text: "Echo", usage: { inputTokens: 5, outputTokens: 4 }, finishReason: "stop" }),
          ),
        ),
    },
    bare: {
      generate: (req) =>
        new Promise((resolve, reject) => {
          const body = bodyOf(req);
          const r = http.request(
            `${baseUrl}/chat/completions`,
            {
              method: "POST",
              agent,
              headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on("data", (c: Buffer) => chunks.push(c));
              res.on("end", () => resolve(resultOf(JSON.parse(Buffer.concat(chunks).toString()) as Reply)));
            },
          );
          r.on("error", reject);
          r.end(body);
        }),
    },
    egress: {
      async generate(req) {
        const res = await egress(`${baseUrl}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: bodyOf(req),
          signal: req.signal,
        });
        return resultOf((await res.json()) as Reply);
      },
    },
  } satisfies Record<string, ModelGateway>,
});
const runtime = createRuntime(db, {
  role: "bench",
  models,
  prices,
  notifier: createRuntimeNotifier(),
  liveEvents: false,
});
const simulated = agentChain(10, { output: "Echo" });
const on = (model: string) => ({
  ...simulated,
  name: model,
  nodes: simulated.nodes.map((n) =>
    n.type === "agent" ? { ...n, config: { model, prompt: (n.config as { prompt: string }).prompt } } : n,
  ),
});
type Source = { document: typeof simulated } & Awaited<ReturnType<typeof seedWorkflowVersion>>;
const sources: { model: string; source: Source }[] = [];
for (const model of ["simulated", "async:stub", "bare:x", "egress:x", "fake:fake-ok"]) {
  const document = model === "simulated" ? simulated : on(model);
  sources.push({ model, source: { document, ...(await seedWorkflowVersion(db, document)) } });
}
const run = async (source: Source) => {
  const r = await runtime.engine.execute(source, {});
  if (r.status !== "succeeded") throw new Error(`run ended ${r.status}: ${r.error?.message}`);
};
for (const { source } of sources) for (let i = 0; i < 40; i++) await run(source);
const cpu: Record<string, number[]> = {};
for (let round = 0; round < Number(values.rounds); round++)
  for (const { model, source } of sources) {
    const start = process.cpuUsage();
    for (let i = 0; i < 30; i++) await run(source);
    const used = process.cpuUsage(start);
    cpu[model] = [...(cpu[model] ?? []), (used.user + used.system) / 1000 / 300];
  }
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`CPU ms per step (median of ${values.rounds} rounds of 30 runs × 10 steps; all rounds)`);
for (const [model, xs] of Object.entries(cpu))
  console.log(`${model.padEnd(14)} ${median(xs).toFixed(3)}   ${xs.map((x) => x.toFixed(2)).join(" ")}`);
await runtime.close();
await db.dispose();
await stop();
process.exit(0);
