import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("durations as people write them", () => {
  it("reads days, hours, minutes, weeks, short forms and combinations", () => {
    expect(parseDuration("2 days")).toBe(2 * DAY);
    expect(parseDuration("4 hours")).toBe(4 * HOUR);
    expect(parseDuration("4h")).toBe(4 * HOUR);
    expect(parseDuration(" 1 day 6 hours ")).toBe(DAY + 6 * HOUR);
    expect(parseDuration("1 day, 30 min")).toBe(DAY + 30 * 60_000);
    expect(parseDuration("1.5 hours")).toBe(1.5 * HOUR);
    expect(parseDuration("1 week")).toBe(7 * DAY);
    expect(parseDuration("90 seconds")).toBe(90_000);
    expect(parseDuration("2 Days")).toBe(2 * DAY);
  });

  it("refuses what is not a duration", () => {
    for (const bad of ["", "2", "two days", "2 fortnights", "days", "2 days later", "-1 day", "0 hours", "172800000"])
      expect(parseDuration(bad), bad).toBeNull();
  });

  it("writes stored milliseconds back in words, exactly", () => {
    expect(formatDuration(2 * DAY)).toBe("2 days");
    expect(formatDuration(7 * DAY)).toBe("7 days");
    expect(formatDuration(HOUR)).toBe("1 hour");
    expect(formatDuration(DAY + 6 * HOUR)).toBe("1 day 6 hours");
    expect(formatDuration(90_000)).toBe("1 minute 30 seconds");
    expect(formatDuration(1000)).toBe("1 second");
    expect(formatDuration(0)).toBe("");
  });

  it("round-trips", () => {
    for (const ms of [1000, 61_000, HOUR, 36 * HOUR, 2 * DAY, 365 * DAY])
      expect(parseDuration(formatDuration(ms))).toBe(ms);
  });
});
