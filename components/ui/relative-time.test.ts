import { describe, expect, it } from "vitest";
import { absoluteUtc, relativeText } from "./relative-time";

describe("times on the workflows list", () => {
  it("the server's text is the same on every machine (UTC, no locale), so hydration cannot disagree", () => {
    expect(absoluteUtc("2026-12-07T04:25:59.999Z")).toBe("2026-12-07 04:25 UTC");
    expect(absoluteUtc("not a date")).toBe("not a date");
  });

  it("the browser's text is relative", () => {
    const now = Date.parse("2026-12-07T12:00:00Z");
    expect(relativeText("2026-12-07T11:59:30Z", now)).toBe("just now");
    expect(relativeText("2026-12-07T11:53:00Z", now)).toBe("7 min ago");
    expect(relativeText("2026-12-07T09:00:00Z", now)).toBe("3 h ago");
  });
});
