import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL("./", import.meta.url)) } },
  test: {
    include: [
      "app/**/*.test.ts",
      "lib/**/*.test.ts",
      "lib/**/*.test.tsx",
      "components/**/*.test.tsx",
      "components/**/*.test.ts",
      "tests/**/*.test.ts",
      "scripts/**/*.test.ts",
    ],
    exclude: ["node_modules", "e2e", ".next"],
    environment: "node",
    testTimeout: 20000,
    hookTimeout: 30000,
    // Postgres-mode tests share one server; files run in parallel but each uses its own schema.
    pool: "forks",
    // Most files wait on the database, timers or child processes rather than the CPU, so more
    // forks than cores shortens the suite (vitest's default is cores - 1: one fork on two cores).
    maxWorkers: 3,
  },
});
