// The run event stream carries a streaming model's tokens: `event: live` frames without an id
// (ephemeral, never replayed), the text so far first when the stream connects mid-step, then each
// new piece as the engine publishes it, alongside the stored events.
import { describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { GET as events } from "@/app/api/runs/[id]/events/route";
import { seedRun } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { serverHarness } from "@/lib/server/testing";

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

describe("live frames on the run event stream", () => {
  const server = serverHarness(openTestSqlite);

  it("sends the text so far on connect, then each piece, without ids", async () => {
    server.as("viewer");
    const { fx, host } = server;
    const run = await seedRun(server.db, {
      workspaceId: fx.workspaceId,
      workflowId: fx.workflowId,
      workflowVersionId: fx.versionId,
      status: "running",
    });
    const piece = (text: string) => ({ type: "step.delta" as const, nodeId: "reply", visit: 1, attempt: 1, text });
    host.notifier.publishLive(run.id, piece("Hello"));

    const abort = new AbortController();
    const res = await events(new Request(`http://x/api/runs/${run.id}/events`, { signal: abort.signal }), ctx(run.id));
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const frames = async (n: number) => {
      const deadline = Date.now() + 10_000;
      while (text.split("\n\n").filter((f) => f.includes("event: live")).length < n && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      return text
        .split("\n\n")
        .filter((f) => f.includes("event: live"))
        .map((f) => ({ hasId: /^id: /m.test(f), data: JSON.parse(/^data: (.*)$/m.exec(f)![1]!) }));
    };
    const first = await frames(1);
    expect(first[0]).toEqual({ hasId: false, data: { ...piece("Hello"), snapshot: true } });
    host.notifier.publishLive(run.id, piece(", world"));
    const two = await frames(2);
    expect(two[1]).toEqual({ hasId: false, data: piece(", world") });
    abort.abort();
    await reader.cancel().catch(() => {});
  });
});
