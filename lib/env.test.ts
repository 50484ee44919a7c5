// The environment is parsed in one place: defaults, empty values as unset, every bad variable named.
import { describe, expect, it } from "vitest";
import { databaseTarget, readEnv } from "./env";

describe("readEnv", () => {
  it("fills the defaults and treats an empty value as unset", () => {
    const env = readEnv({ DATABASE_URL: "", PORT: "" });
    expect(env).toMatchObject({
      SWITCHBOARD_DATA_DIR: "./data",
      SWITCHBOARD_SEED: "1",
      SWITCHBOARD_RUNNER: "1",
      SWITCHBOARD_NOTIFICATIONS: "1",
      SWITCHBOARD_NOTIFY_INTERVAL_MS: 5000,
      PORT: 3000,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(databaseTarget(env)).toMatchObject({ provider: "sqlite" });
    expect(readEnv(env)).toEqual(env);
  });

  it("names every bad variable", () => {
    const bad = () => readEnv({ PORT: "eighty", SWITCHBOARD_SEED: "yes", OTEL_EXPORTER_OTLP_ENDPOINT: "nowhere" });
    for (const name of ["PORT", "SWITCHBOARD_SEED", "OTEL_EXPORTER_OTLP_ENDPOINT"])
      expect(bad).toThrow(new RegExp(`Invalid environment: .*${name}: `));
  });

  it("reads PostgreSQL and SQLite URLs", () => {
    expect(databaseTarget(readEnv({ DATABASE_URL: "postgres://u@h:5432/db?schema=s1" }))).toEqual({
      provider: "postgresql",
      url: "postgres://u@h:5432/db?schema=s1",
      schema: "s1",
    });
    expect(databaseTarget(readEnv({ DATABASE_URL: "file:/tmp/x.db" }))).toEqual({
      provider: "sqlite",
      file: "/tmp/x.db",
      url: "file:/tmp/x.db",
    });
  });
});
