// Streamed tokens as ephemeral live events: the notifier tells live listeners at once, keeps the
// text of each running step for watchers that connect mid-step, and forgets it when the step's end
// is published. Through the runtime: an agent's model streams, its pieces reach the notifier
// (redacted) before the step's success is committed, and nothing of them is stored.
import { afterEach, describe, expect, it } from "vitest";
import type { LiveRunEvent, ModelGateway, RunEventRecord } from "@/lib/contracts/ports";
import { seedWorkflowVersion } from "../db/fixtures";
import { openTestSqlite } from "../db/testing";
import { edge, node, trigger, workflow } from "../engine/testing/builders";
import { createRuntime } from "./engine";
import { createRuntimeNotifier, LIVE_TEXT_LIMIT } from "./notifier";

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const delta = (text: string, attempt = 1, nodeId = "a"): LiveRunEvent => ({
  type: "step.delta",
  nodeId,
  visit: 1,
  attempt,
  text,
});
const ended = (type: string, nodeId = "a"): RunEventRecord => ({
  runId: "r1",
  seq: 1,
  type: type as RunEventRecord["type"],
  data: { nodeId, visit: 1, attempt: 1 },
  createdAt: new Date(),
});

describe("live events in the runtime notifier", () => {
  it("tells listeners each piece, keeps the text so far per step, and starts over on a new attempt", () => {
    const n = createRuntimeNotifier();
    cleanups.push(() => n.close());
    const got: string[] = [];
    const off = n.subscribeLive("r1", (e) => got.push(e.text));
    n.publishLive("r1", delta("Hel"));
    n.publishLive("r1", delta("lo"));
    n.publishLive("r2", delta("other run"));
    expect(got).toEqual(["Hel", "lo"]);
    expect(n.liveSnapshot("r1")).toEqual([delta("Hello")]);
    n.publishLive("r1", delta("Again", 2));
    expect(n.liveSnapshot("r1")).toEqual([delta("Again", 2)]);
    off();
    n.publishLive("r1", delta("!", 2));
    expect(got).toEqual(["Hel", "lo", "Again"]);
    expect(n.liveSnapshot("r1")[0]!.text).toBe("Again!");
  });

  it("forgets a step's text when its end is published, and a run's when it stops", () => {
    const n = createRuntimeNotifier();
    cleanups.push(() => n.close());
    n.publishLive("r1", delta("one", 1, "a"));
    n.publishLive("r1", delta("two", 1, "b"));
    n.publish("r1", [ended("step.succeeded", "a")]);
    expect(n.liveSnapshot("r1").map((e) => e.nodeId)).toEqual(["b"]);
    n.publish("r1", [ended("run.waiting")]);
    expect(n.liveSnapshot("r1")).toEqual([]);
  });

  it("keeps only the tail of a long stream", () => {
    const n = createRuntimeNotifier();
    cleanups.push(() => n.close());
    const piece = "x".repeat(1000);
    for (let i = 0; i < 40; i++) n.publishLive("r1", delta(piece));
    n.publishLive("r1", delta("END"));
    const text = n.liveSnapshot("r1")[0]!.text;
    expect(text.length).toBe(LIVE_TEXT_LIMIT);
    expect(text.endsWith("END")).toBe(true);
  });
});

/** A model that streams its answer in pieces, `gapMs` apart. */
function streamingModel(pieces: string[], gapMs: number): ModelGateway {
  return {
    async generate(req) {
      for (const p of pieces) {
        req.onDelta?.({ type: "text", text: p });
        await new Promise((r) => setTimeout(r, gapMs));
      }
      return {
        text: pieces.join(""),
        usage: { inputTokens: 10, outputTokens: pieces.length, costUsd: 0.001 },
        finishReason: "stop",
      };
    },
  };
}

describe("an agent's streamed tokens through the runtime", () => {
  it("reach live listeners before the step's success is published; nothing of them is stored", async () => {
    const db = await openTestSqlite();
    cleanups.push(() => db.dispose());
    const notifier = createRuntimeNotifier();
    cleanups.push(() => notifier.close());
    const secret = "sk-live-SECRET-1234";
    const rt = createRuntime(db, {
      role: "test",
      notifier,
      models: streamingModel(["The key ", "is ", secret, " — done."], 20),
      settings: {
        redaction: {
          prepare: async () => {},
          redact: <T>(_ws: string, value: T) =>
            (typeof value === "string" ? value.split(secret).join("[redacted]") : value) as T,
        },
      },
    });
    cleanups.push(() => rt.close());
    const doc = workflow(
      [trigger(), node("a", "agent", { model: "work:gpt-x", prompt: "Say it" }), node("done", "end", {})],
      [edge("start", "a"), edge("a", "done")],
    );
    const ids = await seedWorkflowVersion(db, doc);
    const order: string[] = [];
    let runId = "";
    notifier.subscribeAll((id, events) => {
      runId ||= id;
      for (const e of events) if (e.type === "step.succeeded" && e.data.nodeId === "a") order.push("step.succeeded");
    });
    // every piece the engine publishes, in order with the committed events
    const pieces: LiveRunEvent[] = [];
    const originalPublishLive = notifier.publishLive.bind(notifier);
    notifier.publishLive = (id, e) => {
      pieces.push(e);
      order.push("delta");
      originalPublishLive(id, e);
    };
    const r = await rt.engine.execute({ document: doc, ...ids }, {});
    expect(r.status).toBe("succeeded");
    expect(pieces.map((p) => p.text)).toEqual(["The key ", "is ", "[redacted]", " — done."]);
    expect(pieces.every((p) => p.nodeId === "a" && p.visit === 1 && p.attempt === 1)).toBe(true);
    expect(order.indexOf("step.succeeded")).toBeGreaterThan(order.lastIndexOf("delta"));
    // ephemeral: no event row carries them, and the text is forgotten once the step ended
    const events = await db.prisma.runEvent.findMany({ where: { runId: r.runId } });
    expect(events.some((e) => JSON.stringify(e.data).includes("The key"))).toBe(false);
    expect(notifier.liveSnapshot(r.runId)).toEqual([]);
    expect(runId).toBe(r.runId);
  });
});
