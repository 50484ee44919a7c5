// Streamed tokens on the canvas: pieces append per node, visit and attempt; a snapshot (the text
// so far, sent when the stream connects mid-step) replaces; a new attempt starts over; the text
// stays after the step succeeded and goes when the node starts again.
import { describe, expect, it } from "vitest";
import { emptyRun, LIVE_TEXT_KEEP, type LiveEventMessage, reduceLiveEvents, reduceRunEvents } from "./run-state";

const piece = (text: string, extra: Partial<LiveEventMessage> = {}): LiveEventMessage => ({
  type: "step.delta",
  nodeId: "reply",
  visit: 1,
  attempt: 1,
  text,
  ...extra,
});

describe("live text in the canvas run store", () => {
  it("appends pieces, replaces on a snapshot, starts over on a new attempt", () => {
    let s = reduceLiveEvents(emptyRun("r1"), [piece("Hel"), piece("lo")]);
    expect(s.live.reply).toEqual({ visit: 1, attempt: 1, text: "Hello" });
    s = reduceLiveEvents(s, [piece("Hello, wor", { snapshot: true }), piece("ld")]);
    expect(s.live.reply!.text).toBe("Hello, world");
    s = reduceLiveEvents(s, [piece("Again", { attempt: 2 })]);
    expect(s.live.reply).toEqual({ visit: 1, attempt: 2, text: "Again" });
    s = reduceLiveEvents(s, [piece("x".repeat(LIVE_TEXT_KEEP + 10))]);
    expect(s.live.reply!.text.length).toBe(LIVE_TEXT_KEEP);
  });

  it("keeps the text after the step succeeded; a retry or a new visit drops it", () => {
    let s = reduceLiveEvents(emptyRun("r1"), [piece("Hello")]);
    s = reduceRunEvents(s, [
      { seq: 1, type: "step.started", data: { nodeId: "reply", visit: 1, attempt: 1 } },
      { seq: 2, type: "step.succeeded", data: { nodeId: "reply", visit: 1, attempt: 1 } },
    ]);
    expect(s.live.reply!.text).toBe("Hello");
    s = reduceRunEvents(s, [{ seq: 3, type: "step.started", data: { nodeId: "reply", visit: 2, attempt: 1 } }]);
    expect(s.live.reply).toBeUndefined();
    s = reduceLiveEvents(s, [piece("Hi", { visit: 2 })]);
    s = reduceRunEvents(s, [{ seq: 4, type: "step.retrying", data: { nodeId: "reply", visit: 2, attempt: 1 } }]);
    expect(s.live.reply).toBeUndefined();
  });
});
