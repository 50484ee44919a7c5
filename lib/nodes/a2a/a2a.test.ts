import { describe, expect, it } from "vitest";
import { runSingle } from "../testing";

describe("a2a (not available yet)", () => {
  it("fails with a clear error", async () => {
    const { result } = await runSingle("a2a", {
      agentCardUrl: "https://agents.example.com/.well-known/agent.json",
      message: "hi",
    });
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "not_available" });
  });
});
