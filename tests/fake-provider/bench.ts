/**
 * Per-call cost of the provider gateway against the fake provider at zero latency, next to a bare
 * HTTP round trip of the same request, plus the vault's seal/open and the redactor.
 *
 *   node --import tsx tests/fake-provider/bench.ts [--n 200]
 */
import { parseArgs } from "node:util";
import { createEgressFetch } from "@/lib/providers/egress-fetch";
import { createProviderGateway } from "@/lib/providers/gateway";
import { createRedactor } from "@/lib/vault/redact";
import { createVault } from "@/lib/vault/seal";
import { startFakeProvider } from "./server";

(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
const { values } = parseArgs({ options: { n: { type: "string", default: "200" } } });
const N = Number(values.n);

let quiet = false;
async function measure(label: string, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < Math.min(20, N); i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  const p95 = times[Math.floor(times.length * 0.95)]!;
  if (!quiet) console.log(`${label.padEnd(52)} median ${median.toFixed(3)} ms   p95 ${p95.toFixed(3)} ms`);
  return median;
}

const fake = await startFakeProvider();
const body = JSON.stringify({ model: "fake-ok", messages: [{ role: "user", content: "Where is my refund?" }] });
const url = `${fake.baseUrls.openai}/chat/completions`;
const egress = createEgressFetch({ allowPrivateNetwork: true });
const post = (f: typeof fetch) => async () =>
  (await f(url, { method: "POST", headers: { "content-type": "application/json" }, body })).json();

console.log(`N = ${N}, fake provider at zero latency, Node ${process.version}`);
const providers = (["openai", "anthropic", "google", "openai-compatible"] as const).map((kind) => ({
  name: kind === "openai-compatible" ? "compat" : kind,
  kind,
  baseUrl:
    kind === "google" ? fake.baseUrls.google : kind === "anthropic" ? fake.baseUrls.anthropic : fake.baseUrls.openai,
  apiKey: "sk-bench",
  allowPrivateNetwork: true,
}));
providers.push({ ...providers[0]!, name: "openai-chat", api: "chat" } as (typeof providers)[number]);
const gateway = createProviderGateway({ providers });
const req = (model: string, extra = {}) => ({
  model,
  instructions: "Answer briefly.",
  messages: [{ role: "user" as const, content: "Where is my refund?" }],
  signal: new AbortController().signal,
  attempt: 1,
  idempotencyKey: "bench:agent:1",
  ...extra,
});

// two rounds; the first only warms every path up (JIT), the second is reported
for (const round of [1, 2]) {
  quiet = round === 1;
  const rawFetch = await measure("bare global fetch (chat completions)", post(fetch));
  const rawEgress = await measure("egress fetch (chat completions)", post(egress));

  const chat = await measure("gateway openai-chat:fake-ok (generate)", () =>
    gateway.generate(req("openai-chat:fake-ok")),
  );
  for (const p of ["openai", "anthropic", "google", "compat"])
    await measure(`gateway ${p}:fake-ok (generate)`, () => gateway.generate(req(`${p}:fake-ok`)));
  await measure("gateway openai-chat:fake-ok (streaming, onDelta)", () =>
    gateway.generate(req("openai-chat:fake-ok", { onDelta: () => {} })),
  );
  await measure("gateway openai-chat:fake-json (structured output)", () =>
    gateway.generate(
      req("openai-chat:fake-json", {
        outputSchema: { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
      }),
    ),
  );
  await measure("gateway openai-chat:fake-tool (tool loop, 2 requests)", () =>
    gateway.generate(
      req("openai-chat:fake-tool", {
        tools: [
          { name: "crm.lookup", inputSchema: { type: "object", properties: {} }, execute: async () => ({ ok: 1 }) },
        ],
      }),
    ),
  );
  if (!quiet)
    console.log(
      `gateway overhead over the egress fetch (chat): ${(chat - rawEgress).toFixed(3)} ms; egress fetch over bare fetch: ${(rawEgress - rawFetch).toFixed(3)} ms`,
    );
}
quiet = false;
await fake.stop();

const vault = createVault("bench-secret-key-0123456789abcdefghij");
const sealed = vault.seal("sk-proj-0123456789abcdefghijklmnopqrstuvwxyz", "ws/openai");
await measure("vault seal (44-char value)", () =>
  vault.seal("sk-proj-0123456789abcdefghijklmnopqrstuvwxyz", "ws/openai"),
);
await measure("vault open", () => vault.open(sealed, "ws/openai"));
const redactor = createRedactor(Array.from({ length: 20 }, (_, i) => `secret-value-${i}-${"x".repeat(24)}`));
const output = {
  text: "lorem ipsum ".repeat(400),
  items: Array.from({ length: 50 }, (_, i) => ({ id: i, note: `item ${i} secret-value-3-${"x".repeat(24)}` })),
};
await measure("redact a 6 KB step output, 20 secrets", () => redactor.redact(output));
