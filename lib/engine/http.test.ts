import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "@/lib/contracts/ports";
import { guardedLookup, isForbiddenAddress } from "./http";

describe("egress guard", () => {
  it("classifies addresses", () => {
    for (const ip of [
      "127.0.0.1",
      "127.8.9.10",
      "10.0.0.1",
      "172.16.5.4",
      "172.31.255.255",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "224.0.0.1",
      "255.255.255.255",
      "::1",
      "::",
      "fe80::1",
      "fd00:ec2::254",
      "fc00::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "64:ff9b::a9fe:a9fe",
      "2002:a9fe:a9fe::1",
      "not-an-ip",
    ])
      expect(isForbiddenAddress(ip), ip).toBe(true);
    for (const ip of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
      expect(isForbiddenAddress(ip), ip).toBe(false);
  });

  it("the socket lookup refuses a host name that resolves to a forbidden address", async () => {
    const lookup = guardedLookup(false);
    const err = await new Promise<Error | null>((resolve) => lookup("localhost", {}, (e) => resolve(e)));
    expect(err?.name).toBe("EgressDeniedError");
    const allowed = await new Promise<Error | null>((resolve) =>
      guardedLookup(true)("localhost", {}, (e) => resolve(e)),
    );
    expect(allowed).toBeNull();
  });

  it("parses Retry-After", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("999999", now)).toBe(3_600_000);
  });
});
