// Real agents in the product: an admin has configured an OpenAI-compatible provider (played by the
// fake provider, started here on 127.0.0.1 and seeded through the admin use cases by
// e2e/support/agents-seed.ts); an editor picks its model in the agent panel, runs the workflow,
// sees the model's tokens appear on the canvas while the step is still running, then the cost on
// the run page. The fake streams slowly (many pieces, a pause between them) so the stream is seen.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, type Page, test } from "@playwright/test";
import { type FakeProvider, startFakeProvider } from "../tests/fake-provider/server";
import { e2eDataDir, signedInAs } from "./support/auth";

const FIXTURE = resolve("e2e/fixtures/workflows/agent-reply.json");
const SHOTS = process.env.E2E_SCREENSHOTS_DIR;

let fake: FakeProvider;

test.beforeAll(async ({ request }) => {
  fake = await startFakeProvider({ chunks: 24, chunkDelayMs: 250 });
  // not execFileSync: the fake provider answers from this process, and the seed asks it for its models
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", resolve("e2e/support/agents-seed.ts"), fake.baseUrls.openaiCompatible],
    { env: { ...process.env, SWITCHBOARD_DATA_DIR: e2eDataDir(), DATABASE_URL: "" }, encoding: "utf8" },
  );
  await request.get("/signin");
});

test.afterAll(async () => {
  await fake?.stop();
});

async function importWorkflow(page: Page) {
  await page.goto("/workflows");
  await page.getByRole("button", { name: "Import JSON" }).click();
  const dialog = page.getByRole("dialog", { name: "Import a workflow" });
  await dialog.getByLabel("Workflow JSON").fill(readFileSync(FIXTURE, "utf8"));
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();
}

test("pick the provider's model, run, watch tokens stream on the canvas, see the cost", async ({ page }) => {
  await signedInAs(page, "editor");
  await importWorkflow(page);

  // The agent panel: provider and model from the workspace's lists; the simulated model is labelled.
  await page.getByRole("article", { name: "Reply, Agent step" }).click();
  const provider = page.getByRole("combobox", { name: "Provider", exact: true });
  await expect(provider).toHaveValue("simulated");
  await expect(provider.locator("option", { hasText: "Simulated (offline, for tests and demos)" })).toHaveCount(1);
  await provider.selectOption("fake");
  const model = page.getByRole("combobox", { name: "Provider's model" });
  await model.selectOption("fake:fake-ok");
  await expect(page.getByText("$2.00 in / $8.00 out per million tokens")).toBeVisible();
  // a model without a price is flagged in the panel and the checklist (fake-json is listed, not priced)
  await model.selectOption("fake:fake-json");
  await expect(page.getByRole("note").filter({ hasText: "No price for this model" })).toBeVisible();
  await page.getByRole("tab", { name: /Checklist/ }).click();
  await expect(page.getByRole("region", { name: "Warnings" })).toContainText("has no price");
  await page.getByRole("article", { name: "Reply, Agent step" }).click();
  await page.getByRole("tab", { name: "Step" }).click();
  await page.getByRole("combobox", { name: "Provider's model" }).selectOption("fake:fake-ok");
  await expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({ timeout: 15_000 });

  // Run it: the step's text grows on the canvas while it still runs.
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Run this workflow" });
  await dialog.getByRole("button", { name: "Start run" }).click();
  await expect(dialog).toBeHidden();
  const running = page.getByRole("status", { name: "Reply: Running" });
  const streamed = page.getByRole("status", { name: "Reply: streamed output" });
  await expect(streamed).toContainText("Echo", { timeout: 20_000 });
  await expect(running).toBeVisible();
  const early = (await streamed.textContent()) ?? "";
  await expect
    .poll(async () => ((await streamed.textContent()) ?? "").length, { timeout: 10_000 })
    .toBeGreaterThan(early.length);
  await expect(running).toBeVisible();
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/canvas-streaming.png` });
  await expect(page.getByRole("status", { name: "Reply: Succeeded" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("status", { name: "Run Succeeded" })).toBeVisible();

  // The run page: tokens and the cost from the admin's price.
  await page.getByRole("link", { name: "Open run history" }).click();
  await expect(page).toHaveURL(/\/runs\/[^/?]+/);
  const cost = page.locator("dt", { hasText: "Cost" }).locator("xpath=following-sibling::dd[1]");
  await expect(cost).toHaveText(/^\$0\.0000\d+|\$0\.000\d+|\$\d/);
  await expect(cost).not.toHaveText("$0");
  const runUrl = page.url();
  expect(fake.requests.filter((r) => r.model === "fake-ok" && r.stream === true).length).toBeGreaterThan(0);

  // A second run, watched from its run page while it streams.
  await page.goBack();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  await page.getByRole("dialog", { name: "Run this workflow" }).getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("status", { name: "Reply: Running" })).toBeVisible({ timeout: 20_000 });
  await page.getByRole("link", { name: "Open run history" }).click();
  await expect(page).not.toHaveURL(runUrl);
  const live = page.getByRole("status", { name: "Live output of reply" });
  await expect(live).toContainText("Echo", { timeout: 20_000 });
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/run-page-streaming.png`, fullPage: true });
  await expect(page.getByRole("status").filter({ hasText: "The run has ended." })).toBeVisible({ timeout: 30_000 });
});
