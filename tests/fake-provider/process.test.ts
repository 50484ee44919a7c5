// The fake provider in a child process with its IPC control (what `w6-agents` uses): it answers
// over HTTP, takes settings over IPC, reports the frames it streamed with times on the shared
// monotonic clock, reports its own CPU, and ends with its parent's channel.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeProviderProcess, forkFakeProvider, monotonicMs } from "./process";

let fake: FakeProviderProcess;
beforeAll(async () => {
  fake = await forkFakeProvider();
});
afterAll(() => fake.stop());

const streamChat = () =>
  fetch(`${fake.baseUrls.openaiCompatible}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "fake-ok", stream: true, messages: [{ role: "user", content: "hello there" }] }),
  });

describe("forkFakeProvider", () => {
  it("runs in another process and answers over HTTP", async () => {
    expect(fake.pid).not.toBe(process.pid);
    const res = await fetch(`${fake.url}/v1/models`);
    expect(res.status).toBe(200);
  });

  it("streams as configured and reports the frames it wrote, timed on this process's monotonic clock", async () => {
    await fake.configure({ chunks: 4, chunkDelayMs: 5 });
    await fake.record(true);
    const before = monotonicMs();
    const res = await streamChat();
    const body = await res.text();
    const after = monotonicMs();
    await fake.record(false);
    const frames = await fake.frames();
    const content = frames.filter((f) => /"content":"[^"]/.test(f.text));
    expect(content).toHaveLength(4);
    expect(frames.map((f) => f.text).join("")).toBe(body);
    for (const f of frames) {
      expect(f.at).toBeGreaterThanOrEqual(before);
      expect(f.at).toBeLessThanOrEqual(after);
    }
    // 5 ms apart in the child, as seen from here
    expect(content.at(-1)!.at - content[0]!.at).toBeGreaterThanOrEqual(14);
    // taken: the next call starts empty, and nothing is kept while not recording
    await streamChat().then((r) => r.text());
    expect(await fake.frames()).toEqual([]);
    await fake.configure({ chunks: 3, chunkDelayMs: 0 });
  });

  it("reports its own CPU, which grows with the work it does", async () => {
    const a = await fake.cpu();
    for (let i = 0; i < 20; i++) await streamChat().then((r) => r.text());
    const b = await fake.cpu();
    expect(b.user + b.system).toBeGreaterThan(a.user + a.system);
  });

  it("stops", async () => {
    const other = await forkFakeProvider();
    await other.stop();
    await expect(fetch(`${other.url}/v1/models`)).rejects.toThrow();
    await expect(other.cpu()).rejects.toThrow(/ended/);
  });
});
