import { describe, expect, it } from "vitest";
import type { HttpFetcher, SecretRedaction } from "@/lib/contracts/ports";
import type { WorkflowNode } from "@/lib/contracts/workflow-document";
import { createTestEngine } from "@/lib/testing/test-engine";
import { TestStepRefusedError } from "./test-step";

const trigger: WorkflowNode = { id: "start", type: "trigger", config: { kind: "manual" } };

function doc(node: WorkflowNode, extra: WorkflowNode[] = []) {
  return {
    nodes: [trigger, ...extra, node],
    edges: [
      ...extra.map((e) => ({ source: "start", target: e.id })),
      { source: extra[0]?.id ?? "start", target: node.id },
    ],
  };
}

const scope = { workspaceId: "ws1", workflowId: "wf1" };

describe("engine.testStep", () => {
  it("runs one agent with sample input and stores nothing", async () => {
    const t = createTestEngine();
    const agent: WorkflowNode = {
      id: "writer",
      type: "agent",
      config: { prompt: "Hello {{ input.name }}", simulate: { output: "Hi {{ input.name }}" } },
    };
    const result = await t.engine.testStep({
      ...scope,
      document: doc(agent),
      nodeId: "writer",
      data: { input: { name: "Ada" } },
    });
    expect(result).toMatchObject({ status: "succeeded", output: "Hi Ada", model: "simulated" });
    expect(t.store.dump().runs).toHaveLength(0);
    expect(t.store.dump().steps).toHaveLength(0);
    expect(t.published).toHaveLength(0);
  });

  it("reads earlier steps' outputs from the sample data, and defaults to the step before", async () => {
    const t = createTestEngine();
    const upstream: WorkflowNode = { id: "fetch", type: "transform", config: { expression: "input" } };
    const transform: WorkflowNode = {
      id: "shape",
      type: "transform",
      config: { expression: "nodes.fetch.output.total * 2" },
    };
    const result = await t.engine.testStep({
      ...scope,
      document: doc(transform, [upstream]),
      nodeId: "shape",
      data: { input: {}, nodes: { fetch: { output: { total: 21 } } } },
    });
    expect(result).toMatchObject({ status: "succeeded", output: 42 });

    const end: WorkflowNode = { id: "done", type: "end", config: {} };
    const ended = await t.engine.testStep({
      ...scope,
      document: doc(end, [upstream]),
      nodeId: "done",
      data: { nodes: { fetch: { output: { total: 5 } } } },
    });
    expect(ended).toMatchObject({ status: "succeeded", output: { total: 5 } });
  });

  it("answers wouldWait for an approval, with its rendered title, and opens none", async () => {
    const t = createTestEngine();
    const approval: WorkflowNode = { id: "ok", type: "approval", config: { title: "Ship {{ input.v }}?" } };
    const result = await t.engine.testStep({
      ...scope,
      document: doc(approval),
      nodeId: "ok",
      data: { input: { v: "1.2" } },
    });
    expect(result).toMatchObject({ status: "wouldWait", waitingFor: "approval", title: "Ship 1.2?" });
    expect(t.store.dump().approvals).toHaveLength(0);
  });

  it("refuses a step whose settings are invalid, naming the field, and an unknown step", async () => {
    const t = createTestEngine();
    const bad: WorkflowNode = { id: "call", type: "http", config: { method: "FETCH", url: "https://x.test" } };
    await expect(t.engine.testStep({ ...scope, document: doc(bad), nodeId: "call", data: {} })).rejects.toThrow(
      /config\.method/,
    );
    await expect(t.engine.testStep({ ...scope, document: doc(bad), nodeId: "nope", data: {} })).rejects.toBeInstanceOf(
      TestStepRefusedError,
    );
  });

  it("stops a step at its time limit and reports the error, not a hang", async () => {
    const hanging: HttpFetcher = {
      fetch: (req) =>
        new Promise((_resolve, reject) => req.signal?.addEventListener("abort", () => reject(req.signal?.reason))),
    };
    const t = createTestEngine({ http: hanging });
    const call: WorkflowNode = {
      id: "call",
      type: "http",
      timeoutMs: 5_000,
      config: { method: "GET", url: "https://x.test" },
    };
    const result = await t.engine.testStep({ ...scope, document: doc(call), nodeId: "call", data: {} });
    expect(result.status).toBe("failed");
    expect(result.status === "failed" && result.error.message).toMatch(/time limit of 5000 ms/);
  });

  it("redacts the workspace's secrets from what it returns", async () => {
    const secret = "sk-live-abcdef123456";
    const redaction: SecretRedaction = {
      prepare: async () => {},
      redact: (_ws, value) => JSON.parse(JSON.stringify(value).replaceAll(secret, "[redacted]")),
    };
    const t = createTestEngine({ settings: { redaction } });
    const transform: WorkflowNode = { id: "echo", type: "transform", config: { expression: "input.token" } };
    const result = await t.engine.testStep({
      ...scope,
      document: doc(transform),
      nodeId: "echo",
      data: { input: { token: secret } },
    });
    expect(result).toMatchObject({ status: "succeeded", output: "[redacted]" });
  });
});
