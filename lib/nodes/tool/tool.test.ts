// The tool node against a real MCP server on 127.0.0.1: calls with rendered arguments, tool
// errors and the error outcome, approvals with edited arguments, results kept as data, and no
// connection before a run reaches the node.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileWorkflow } from "@/lib/engine/compiled";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { mcpServerRecord, memoryMcpServers, testMcpClient } from "@/lib/mcp/testing";
import { runSingle } from "@/lib/testing/run-single";
import { createTestEngine } from "@/lib/testing/test-engine";
import { validateWorkflow } from "@/lib/workflow/validate";
import { type McpTestServer, startMcpTestServer } from "@/tests/mcp-server/server";
import { builtinNodes } from "../builtin";

let server: McpTestServer;
beforeAll(async () => {
  server = await startMcpTestServer();
});
afterAll(() => server.close());

function gateway() {
  const servers = memoryMcpServers([
    mcpServerRecord({ name: "files", url: server.url, approvalTools: ["create_ticket"] }),
  ]);
  return { servers, mcp: testMcpClient(servers, [`127.0.0.1:${server.port}`]).gateway };
}

describe("tool node", () => {
  it("calls the tool with its rendered arguments; the output is the tool's answer", async () => {
    const { mcp } = gateway();
    const { result, step } = await runSingle(
      "tool",
      { server: "files", tool: "add", arguments: { a: "{{ input.a }}", b: 2 } },
      { a: 40 },
      { mcp },
    );
    expect(result.status).toBe("succeeded");
    expect(step?.output).toEqual({
      text: "42",
      structured: { sum: 42 },
      content: [{ type: "text", text: "42" }],
      isError: false,
    });
    expect(server.calls.at(-1)).toMatchObject({ tool: "add", arguments: { a: 40, b: 2 } });
  });

  it("keeps the result as data: text that looks like a template or an expression is never evaluated", async () => {
    const { mcp } = gateway();
    const { result } = await runSingle(
      "tool",
      { server: "files", tool: "template_bait" },
      {},
      {
        mcp,
        extraNodes: [
          {
            id: "out",
            type: "end",
            config: {
              output: { text: "{{ nodes.subject.output.text }}", data: "{{ nodes.subject.output.structured }}" },
            },
          },
        ],
        extraEdges: [{ source: "subject", target: "out" }],
      },
    );
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({
      text: "{{ run.id }} $string(vars) {{ input }}",
      data: { value: "{{ nodes }}", expr: "$sum([1, 2])" },
    });
  });

  it("a tool error fails the step: the error outcome gets it, or the run fails naming the tool", async () => {
    const { mcp } = gateway();
    const failed = await runSingle(
      "tool",
      { server: "files", tool: "fail", arguments: { reason: "disk full" } },
      {},
      { mcp },
    );
    expect(failed.result.status).toBe("failed");
    expect(failed.result.error?.message).toBe("The tool “fail” on “files” reported an error: It went wrong: disk full");
    const routed = await runSingle(
      "tool",
      { server: "files", tool: "fail", arguments: { reason: "x" } },
      {},
      {
        mcp,
        extraNodes: [{ id: "fallback", type: "end", config: { output: "{{ nodes.subject.output.error.code }}" } }],
        extraEdges: [{ source: "subject", target: "fallback", sourceHandle: "error" }],
      },
    );
    expect(routed.result.status).toBe("succeeded");
    expect(routed.result.output).toBe("non_retryable");
  });

  it("a step timeout stops a slow tool; an unknown tool and an unknown server are clear errors", async () => {
    const { mcp } = gateway();
    const slow = await runSingle(
      "tool",
      { server: "files", tool: "slow", arguments: { ms: 5000 } },
      {},
      { mcp, autoAdvance: false, node: { timeoutMs: 200 } },
    );
    expect(slow.result.status).toBe("failed");
    expect(slow.result.error?.code).toBe("timeout");
    const unknownTool = await runSingle("tool", { server: "files", tool: "nope" }, {}, { mcp });
    expect(unknownTool.result.error?.message).toMatch(/has no tool "nope" \(it has: echo, add/);
    const unknownServer = await runSingle("tool", { server: "elsewhere", tool: "x" }, {}, { mcp });
    expect(unknownServer.result.error?.message).toMatch(/no MCP server "elsewhere"/);
    const notWired = await runSingle("tool", { server: "files", tool: "echo" });
    expect(notWired.result.error?.code).toBe("not_available");
  });

  it("a tool marked as requiring approval waits; the approver edits the arguments; the call uses them", async () => {
    const { mcp } = gateway();
    const t = createTestEngine({ mcp });
    const doc = workflow(
      [
        trigger(),
        node("ticket", "tool", { server: "files", tool: "create_ticket", arguments: { title: "{{ input.t }}" } }),
      ],
      [edge("start", "ticket")],
    );
    const callsBefore = server.calls.length;
    const waiting = await t.engine.execute({ document: doc }, { t: "Printer on fire" });
    expect(waiting.status).toBe("waiting");
    expect(server.calls.length).toBe(callsBefore); // nothing was called yet
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    expect(approval).toMatchObject({
      title: "Call create_ticket on files",
      payload: { server: "files", tool: "create_ticket", arguments: { title: "Printer on fire" } },
      allowEdit: true,
      editSchema: {
        type: "object",
        required: ["arguments"],
        properties: { arguments: { properties: { title: { type: "string" } }, required: ["title"] } },
      },
    });
    const refused = await t.engine
      .decide(approval!.id, { decision: "approve", by: "u1", data: { arguments: { priority: "urgent" } } })
      .catch((e) => e);
    expect(refused.code).toBe("input_invalid");
    const done = await t.engine.decide(approval!.id, {
      decision: "approve",
      by: "u1",
      data: {
        server: "elsewhere",
        tool: "fail",
        arguments: { title: "Printer on fire (3rd floor)", priority: "high" },
      },
    });
    expect(done.status).toBe("succeeded");
    expect(server.calls.at(-1)).toMatchObject({
      tool: "create_ticket",
      arguments: { title: "Printer on fire (3rd floor)", priority: "high" },
    });
    expect(done.steps.find((s) => s.nodeId === "ticket")?.output).toMatchObject({
      text: "Created ticket “Printer on fire (3rd floor)” (high)",
    });
  });

  it("a refused call is not made: the step fails with the approver's reason", async () => {
    const { mcp } = gateway();
    const t = createTestEngine({ mcp });
    const doc = workflow(
      [trigger(), node("ticket", "tool", { server: "files", tool: "create_ticket", arguments: { title: "x" } })],
      [edge("start", "ticket")],
    );
    const waiting = await t.engine.execute({ document: doc }, {});
    const [approval] = await t.store.listApprovals({ runId: waiting.runId });
    const callsBefore = server.calls.length;
    const done = await t.engine.decide(approval!.id, { decision: "reject", by: "u1", comment: "not today" });
    expect(done.status).toBe("failed");
    expect(done.error?.message).toBe("A person refused the call of “create_ticket” on “files”: not today");
    expect(server.calls.length).toBe(callsBefore);
  });

  it("importing, validating and compiling a workflow that names a server connects to nothing", async () => {
    const { servers, mcp } = gateway();
    const requests = server.requests;
    const doc = workflow(
      [
        trigger(),
        node("call", "tool", { server: "files", tool: "echo", arguments: { text: "hi" } }),
        node("agent", "agent", { tools: [{ server: "files", tool: "echo" }] }),
      ],
      [edge("start", "call"), edge("call", "agent")],
    );
    expect(validateWorkflow(doc).issues).toEqual([]);
    compileWorkflow(doc, builtinNodes);
    createTestEngine({ mcp });
    expect(server.requests).toBe(requests);
    expect(servers.lookups).toBe(0);
  });
});
