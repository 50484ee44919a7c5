// The chaos tests' workflow (lib/cli/chaos.test.ts, e2e/scale-out.spec.ts), calling the counting
// server of ./counting-server.ts.
import type { WorkflowDocument } from "../../lib/contracts/workflow-document";
import { edge, node, trigger, workflow } from "../../lib/engine/testing/builders";

/**
 * trigger → a (http, retried) → think (agent) → t (transform) → b (http, retried) and once
 * (http, atMostOnce: default → onceOk, error → onceErr) → m (http that answers 404 → its error
 * edge) → done, whose output reads every one of them. Its http steps call `<serverUrl>/<node>/<n>`.
 */
export function chaosWorkflow(serverUrl: string): WorkflowDocument {
  const url = (name: string) => `${serverUrl}/${name}/{{ input.n }}`;
  const retry = { maxAttempts: 3, backoffMs: 20 };
  return workflow(
    [
      trigger(),
      node("a", "http", { method: "POST", url: url("a"), body: { x: "{{ input.n }}" } }, { retry }),
      node("think", "agent", { model: "simulated", prompt: "think", simulate: { output: "thought", latencyMs: 120 } }),
      node("t", "transform", { expression: "nodes.a.output.body.double + 1" }),
      node("b", "http", { method: "POST", url: url("b"), body: { x: "{{ nodes.t.output }}" } }, { retry }),
      node("once", "http", { method: "POST", url: url("once"), body: {} }, { atMostOnce: true }),
      node("onceOk", "transform", { expression: "'ok'" }),
      node("onceErr", "transform", { expression: "nodes.once.output.error.code" }),
      node("m", "http", { url: url("missing") }),
      node("mOk", "transform", { expression: "'unexpected'" }),
      node("done", "end", {
        output: {
          a: "{{ nodes.a.output.body.double }}",
          think: "{{ nodes.think.output }}",
          t: "{{ nodes.t.output }}",
          b: "{{ nodes.b.output.body.double }}",
          once: "{{ nodes.onceOk.status = 'succeeded' ? nodes.onceOk.output : nodes.onceErr.output }}",
          missing: "{{ nodes.m.output.error.code & ' / ' & nodes.m.output.error.message }}",
        },
      }),
    ],
    [
      edge("start", "a"),
      edge("a", "think"),
      edge("think", "t"),
      edge("t", "b"),
      edge("t", "once"),
      edge("once", "onceOk"),
      edge("once", "onceErr", "error"),
      edge("b", "m"),
      edge("onceOk", "m"),
      edge("onceErr", "m"),
      edge("m", "mOk"),
      edge("m", "done", "error"),
      edge("mOk", "done"),
    ],
    { name: "Chaos" },
  );
}

/**
 * What a run of chaosWorkflow with input `{ n }` outputs against the counting server, whatever was
 * killed on the way; all but `once`, which is "ok", or "interrupted" when its one attempt was cut.
 */
export function chaosOutput(n: number) {
  return {
    a: 2 * n,
    think: "thought",
    t: 2 * n + 1,
    b: 2 * (2 * n + 1),
    missing: 'non_retryable / The server answered 404: "not here"',
  };
}
