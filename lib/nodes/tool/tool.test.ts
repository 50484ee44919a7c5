import { describe, expect, it } from "vitest";
import { runSingle } from "../testing";

describe("tool (not available yet)", () => {
  it("fails with a clear error, or takes its error edge", async () => {
    const { result } = await runSingle(
      "tool",
      { server: "files", tool: "read", arguments: { path: "{{ input.p }}" } },
      { p: "/x" },
    );
    expect(result.status).toBe("failed");
    expect(result.error).toMatchObject({ code: "not_available" });
    expect(result.error!.message).toMatch(/not available yet/);
    const routed = await runSingle(
      "tool",
      { server: "files", tool: "read" },
      {},
      {
        extraNodes: [{ id: "fallback", type: "end", config: { output: "{{ nodes.subject.output.error.code }}" } }],
        extraEdges: [{ source: "subject", target: "fallback", sourceHandle: "error" }],
      },
    );
    expect(routed.result.output).toBe("not_available");
  });
});
