import { describe, expect, it } from "vitest";
import { bucketRange, resolveRange } from "./dashboard-range";

describe("dashboard range", () => {
  const now = new Date("2026-11-25T16:20:00Z");
  it("ends presets at the next whole hour", () => {
    const r = resolveRange({ range: "7d" }, now);
    expect(r.to.toISOString()).toBe("2026-11-25T17:00:00.000Z");
    expect(r.from.toISOString()).toBe("2026-11-18T17:00:00.000Z");
    expect(resolveRange({}, now).preset).toBe("30d");
  });
  it("makes explicit days inclusive", () => {
    const r = resolveRange({ from: "2026-11-01", to: "2026-11-03" }, now);
    expect([r.from.toISOString(), r.to.toISOString()]).toEqual([
      "2026-11-01T00:00:00.000Z",
      "2026-11-04T00:00:00.000Z",
    ]);
  });
  it("clips buckets to the range", () => {
    const range = { from: new Date("2026-11-20T05:00:00Z"), to: new Date("2026-11-22T00:00:00Z") };
    expect(bucketRange("2026-11-20", range).from.toISOString()).toBe("2026-11-20T05:00:00.000Z");
    expect(bucketRange("2026-11-21T13", range)).toEqual({
      from: new Date("2026-11-21T13:00:00Z"),
      to: new Date("2026-11-21T14:00:00Z"),
    });
  });
});
