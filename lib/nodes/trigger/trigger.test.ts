import { describe, expect, it } from "vitest";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createTestEngine } from "@/lib/testing/test-engine";
import { triggerConfigSchema, triggerDefinition } from "./definition";

describe("trigger", () => {
  it("outputs the run input", async () => {
    const t = createTestEngine();
    const r = await t.engine.execute(
      {
        document: workflow([trigger(), node("e", "end", { output: "{{ nodes.start.output }}" })], [edge("start", "e")]),
      },
      { a: [1, 2] },
    );
    expect(r.steps[0]).toMatchObject({ nodeId: "start", status: "succeeded", output: { a: [1, 2] } });
    expect(r.output).toEqual({ a: [1, 2] });
  });

  it("a schedule needs a 5-field cron", () => {
    expect(triggerConfigSchema.safeParse({ kind: "schedule" }).success).toBe(false);
    expect(triggerConfigSchema.safeParse({ kind: "schedule", cron: "* * *" }).success).toBe(false);
    expect(
      triggerConfigSchema.safeParse({ kind: "schedule", cron: "0 9 * * 1", timezone: "Europe/Paris" }).success,
    ).toBe(true);
    expect(triggerConfigSchema.parse({})).toEqual(triggerDefinition.defaults);
  });
});
