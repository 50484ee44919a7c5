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

  it("takes chat, webhook and schedule settings; refuses a bad cron field or time zone", () => {
    expect(triggerConfigSchema.safeParse({ kind: "chat" }).success).toBe(true);
    expect(
      triggerConfigSchema.safeParse({ kind: "webhook", secret: "hook", maxBodyKb: 64, respond: "with_output" }).success,
    ).toBe(true);
    expect(triggerConfigSchema.safeParse({ kind: "webhook", respond: "later" }).success).toBe(false);
    const badCron = triggerConfigSchema.safeParse({ kind: "schedule", cron: "61 * * * *" });
    expect(badCron.success).toBe(false);
    expect(badCron.error?.issues[0]?.path).toEqual(["cron"]);
    const badZone = triggerConfigSchema.safeParse({ kind: "schedule", cron: "0 9 * * *", timezone: "Mars/Olympus" });
    expect(badZone.error?.issues[0]).toMatchObject({ path: ["timezone"], message: expect.stringContaining("Mars") });
    expect(triggerConfigSchema.safeParse({ kind: "schedule", cron: "0 9 * * 1-5", missed: "run_once" }).success).toBe(
      true,
    );
  });

  it("the inspector shows the settings of the chosen kind only", () => {
    const shown = triggerDefinition.editor?.shownFields;
    expect(shown?.({ kind: "manual" })).toEqual(["kind"]);
    expect(shown?.({ kind: "schedule" })).toEqual(["kind", "cron", "timezone", "missed"]);
    expect(shown?.({ kind: "webhook" })).toContain("secret");
    expect(shown?.({ kind: "chat" })).toEqual(["kind"]);
  });
});
