import { defineConfig } from "@playwright/test";
export default defineConfig({
  testDir: "/work/main/e2e",
  testMatch: "inbox.spec.ts",
  outputDir: "/tmp/pw-inbox-results",
  timeout: 120_000,
  expect: { timeout: 20_000 },
  workers: 1,
  reporter: [["list"]],
  use: {
    baseURL: "http://localhost:3205",
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] },
  },
});
