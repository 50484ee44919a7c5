import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL("./", import.meta.url));
const TEST_DIRS = ["app", "lib", "components", "tests", "scripts"];
const TEST_FILE = /\.test\.tsx?$/;

/**
 * Test files that need a module graph of their own: they replace modules (vi.mock, vi.doMock),
 * globals (vi.stubGlobal) or reset the module registry, or they say so with `vitest: isolate`
 * (e.g. they assert on process-wide slots that another file's host would have filled). Found by
 * reading the files, so that a new test that mocks a module is isolated without anyone listing it.
 */
function filesNeedingIsolation(): string[] {
  const needs = /\bvi\.(mock|doMock|stubGlobal|resetModules)\(|vitest: isolate\b/;
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (TEST_FILE.test(entry.name) && needs.test(readFileSync(path, "utf8"))) found.push(relative(root, path));
    }
  };
  for (const dir of TEST_DIRS) walk(join(root, dir));
  return found;
}

const include = TEST_DIRS.flatMap((dir) => [`${dir}/**/*.test.ts`, `${dir}/**/*.test.tsx`]);
const exclude = ["node_modules", "e2e", ".next"];
const isolated = filesNeedingIsolation();

export default defineConfig({
  resolve: {
    alias: {
      "@": root,
      // both refuse to work outside Next.js; the server code that imports them is tested directly
      "server-only": join(root, "tests/stubs/server-only.ts"),
      "next/cache": join(root, "tests/stubs/next-cache.ts"),
    },
  },
  test: {
    environment: "node",
    testTimeout: 20000,
    hookTimeout: 30000,
    // each file's changes to process.env are undone when it ends (files share forks)
    setupFiles: ["tests/vitest-setup.ts"],
    unstubEnvs: true,
    unstubGlobals: true,
    // Postgres-mode tests share one server; files run in parallel but each uses its own schema.
    pool: "forks",
    // Most files wait on the database, timers or child processes rather than the CPU, so more
    // forks than cores shortens the suite (vitest's default is cores - 1: one fork on two cores).
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        // A fork runs file after file on one module graph: importing the engine, Prisma and the
        // SDKs again for each file was 40% of the suite's CPU time. Every file closes what it starts
        // (hosts, servers, connections); tests/vitest-setup.ts restores the environment.
        test: { name: "shared", include, exclude: [...exclude, ...isolated], isolate: false },
      },
      { extends: true, test: { name: "isolated", include: isolated, exclude, isolate: true } },
    ],
  },
});
