// Run, step and approval ids appear in URLs, the API and approval links. They used to be a
// per-process tag and a counter, so one id told an attacker every next one.
import { describe, expect, it } from "vitest";
import { createIdGenerator } from "./clock";

const SHAPE = /^[rsa][0-9a-z]{8,9}[0-9a-z]{4}[0-9a-hjkmnp-tv-z]{26}$/;
const randomPart = (id: string) => id.slice(-26);

describe("createIdGenerator", () => {
  it("makes ids of the documented shape, prefixed by kind", () => {
    const ids = createIdGenerator();
    expect(ids.id("run")).toMatch(SHAPE);
    expect(ids.id("run")[0]).toBe("r");
    expect(ids.id("step")[0]).toBe("s");
    expect(ids.id("approval")[0]).toBe("a");
  });

  it("an id says nothing about the next one: 130 random bits each", () => {
    const ids = createIdGenerator();
    const list = Array.from({ length: 20_000 }, () => ids.id("run"));
    expect(new Set(list).size).toBe(list.length);
    // Consecutive ids differ in (nearly) every random character, as independent draws would.
    let same = 0;
    for (let i = 1; i < list.length; i++) {
      const a = randomPart(list[i - 1] as string);
      const b = randomPart(list[i] as string);
      for (let j = 0; j < 26; j++) if (a[j] === b[j]) same++;
    }
    const perPair = same / (list.length - 1);
    expect(perPair).toBeLessThan(26 / 32 + 0.2); // independent: 26/32 ≈ 0.81 equal characters per pair
    // Every character position uses the whole alphabet about evenly.
    for (let j = 0; j < 26; j += 5) {
      const counts = new Map<string, number>();
      for (const id of list)
        counts.set(randomPart(id)[j] as string, (counts.get(randomPart(id)[j] as string) ?? 0) + 1);
      expect(counts.size).toBe(32);
      for (const n of counts.values()) expect(n).toBeGreaterThan(list.length / 32 / 2);
    }
    // Two generators (two processes) never share a prefix beyond the clock.
    const other = createIdGenerator().id("run");
    expect(randomPart(other)).not.toBe(randomPart(list[0] as string));
  });

  it("ids made by one generator sort in the order they were made", () => {
    const ids = createIdGenerator();
    const list = Array.from({ length: 5_000 }, () => ids.id("approval"));
    expect([...list].sort()).toEqual(list);
  });
});
