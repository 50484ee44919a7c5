import { describe, expect, it } from "vitest";
import { createSseParser, type SseFrame } from "./sse";

describe("createSseParser", () => {
  it("splits frames across chunks, names them, joins data lines and skips comments", () => {
    const frames: SseFrame[] = [];
    const p = createSseParser((f) => frames.push(f));
    p.push('event: run\ndata: {"runId":"r1"}\n\nevent: del');
    expect(frames).toEqual([{ event: "run", data: '{"runId":"r1"}' }]);
    p.push('ta\ndata: {"text":"Hel"}\n\n: keep-alive\n\ndata: a\ndata: b\r\n\r\n');
    expect(frames.slice(1)).toEqual([
      { event: "delta", data: '{"text":"Hel"}' },
      { event: "message", data: "a\nb" },
    ]);
  });
});
