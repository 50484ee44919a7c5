// The e2e workflow whose "lookup" agent fails once (simulated server error, no retries).
export const FLAKY_WORKFLOW = {
  format: "switchboard.workflow/v1",
  name: "E2E flaky lookup",
  description: "research → draft ‖ lookup (fails once) → done; used by e2e/runs.spec.ts",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    {
      id: "research",
      type: "agent",
      config: {
        model: "simulated",
        prompt: "Research {{ input.topic }}",
        simulate: { output: "three facts", usage: { inputTokens: 120, outputTokens: 40 } },
      },
    },
    {
      id: "draft",
      type: "agent",
      config: {
        model: "simulated",
        prompt: "Draft from {{ nodes.research.output }}",
        simulate: { output: "a draft", usage: { inputTokens: 60, outputTokens: 30 } },
      },
    },
    {
      id: "lookup",
      type: "agent",
      retry: { maxAttempts: 1 },
      config: {
        model: "simulated",
        prompt: "Look up {{ nodes.research.output }}",
        simulate: {
          output: "order found",
          failTimes: 1,
          failWith: "server_error",
          usage: { inputTokens: 9, outputTokens: 3 },
        },
      },
    },
    {
      id: "done",
      type: "end",
      config: { output: { draft: "{{ nodes.draft.output }}", lookup: "{{ nodes.lookup.output }}" } },
    },
  ],
  edges: [
    { source: "start", target: "research" },
    { source: "research", target: "draft" },
    { source: "research", target: "lookup" },
    { source: "draft", target: "done" },
    { source: "lookup", target: "done" },
  ],
};
