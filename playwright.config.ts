// End-to-end tests run against a production build (`next start`) on a throwaway embedded
// database under test-results/e2e-data, seeded fresh; e2e/support reads the generated
// passwords from its first-run.json. Browsers: Debian's chromium (downloads are blocked here).
import { defineConfig, devices } from "@playwright/test";

const PORT = Number(process.env.E2E_PORT ?? 3107);
export const E2E_DATA_DIR = process.env.E2E_DATA_DIR ?? "test-results/e2e-data";

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results/playwright",
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  // One spec file at a time. E2E_WORKERS=2 runs two files side by side (they share the server and
  // its database, each spec creating its own data); on a busy two-core machine it was no faster.
  workers: Number(process.env.E2E_WORKERS ?? 1),
  retries: 0,
  reporter: [["list"]],
  globalSetup: "./e2e/support/global-setup.ts",
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    // Signs each role in through the form once and stores the sessions (e2e/auth.setup.ts).
    { name: "setup", testMatch: /auth\.setup\.ts$/, use: { ...devices["Desktop Chrome"], channel: undefined } },
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], channel: undefined },
      dependencies: ["setup"],
    },
  ],
  webServer: {
    command: `node bin/start.mjs --fresh`,
    url: `http://127.0.0.1:${PORT}/signin`,
    timeout: 300_000,
    reuseExistingServer: false,
    env: {
      PORT: String(PORT),
      SWITCHBOARD_DATA_DIR: E2E_DATA_DIR,
      DATABASE_URL: "",
      NEXTAUTH_URL: `http://127.0.0.1:${PORT}`,
    },
  },
});
