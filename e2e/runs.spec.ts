// Run history: filters kept in the URL, a failed run explained, retry from the failed step
// (earlier steps reused, usage not counted twice), and comparing two runs.
import { expect, type Page, test } from "@playwright/test";
import { type HistorySeed, seedHistory } from "./history-seed";
import { signedInAs } from "./support/auth";

let seed: HistorySeed;

test.beforeAll(() => {
  seed = seedHistory(["--end", "2026-01-10"]);
});

function runRows(page: Page) {
  return page.getByRole("table", { name: "Runs", exact: true }).locator("tbody tr");
}

test("filtering the runs list is kept in the URL and survives a reload", async ({ page }) => {
  await signedInAs(page, "editor", { next: "/runs" });
  const wf = seed.workflows[0]!;
  const from = Date.parse(`${seed.window.from}T00:00:00Z`);
  const to = Date.parse(`${seed.window.to}T00:00:00Z`); // the To field is inclusive of 01-09
  const expected = seed.runs
    .filter((r) => r.workflowId === wf.id && (r.status === "failed" || r.status === "cancelled"))
    .filter((r) => Date.parse(r.createdAt) >= from && Date.parse(r.createdAt) < to)
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? 1 : -1))
    .map((r) => r.id);
  expect(expected.length).toBeGreaterThan(0);

  await page.goto("/runs");
  await page.getByLabel("Workflow", { exact: true }).selectOption(wf.id); // by id: other specs' seeds may reuse the name
  await page.getByRole("checkbox", { name: "failed", exact: true }).check();
  await page.getByRole("checkbox", { name: "cancelled", exact: true }).check();
  await page.getByLabel("From", { exact: true }).fill(seed.window.from);
  await page.getByLabel("To", { exact: true }).fill("2026-01-09");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/workflowId=/);
  await expect(page).toHaveURL(/status=failed/);

  const ids = async () => (await runRows(page).locator("td:first-child a").allTextContents()).map((t) => t.trim());
  await expect.poll(ids).toEqual(expected);
  const url = page.url();
  await page.reload();
  expect(page.url()).toBe(url);
  await expect.poll(ids).toEqual(expected);
  await expect(page.getByLabel("Workflow", { exact: true })).toHaveValue(wf.id);
  await expect(page.getByRole("checkbox", { name: "failed", exact: true })).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "succeeded", exact: true })).not.toBeChecked();
  await expect(page.getByLabel("From", { exact: true })).toHaveValue(seed.window.from);

  // Search by text inside the input.
  const probe = seed.runs.find((r) => r.workflowId === wf.id)!;
  const word = probe.input.message.split(" #")[0]!.replace("Customer asks about ", "");
  await page.goto(`/runs?q=${encodeURIComponent(word)}&from=${seed.window.from}&to=2026-01-09`);
  const withWord = seed.runs.filter((r) => r.input.message.includes(word)).length;
  await expect(runRows(page)).toHaveCount(Math.min(withWord, 50));
});

test("a failed run shows which step failed and why; retry re-runs only that step", async ({ page }) => {
  const flaky = seed.flaky!;
  expect(flaky.failedStatus).toBe("failed");
  await signedInAs(page, "editor", { next: `/runs/${flaky.failedRunId}` });
  await expect(page.getByRole("heading", { level: 1 })).toContainText("failed");
  await expect(page.getByRole("alert").filter({ hasText: "Run failed at step “lookup”" })).toBeVisible();
  const panel = page.getByRole("region", { name: /Step lookup/ });
  await expect(panel.getByText("Failed: RetryableError: Simulated server error (500).")).toBeVisible();
  await expect(panel.getByText(`${flaky.failedRunId}:lookup:1`)).toBeVisible();

  await page.getByRole("button", { name: "Retry from failed step" }).click();
  await expect(page).not.toHaveURL(new RegExp(`/runs/${flaky.failedRunId}$`));
  const retryId = page.url().split("/runs/")[1]!;
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("succeeded", { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByText(`retry of ${flaky.failedRunId}`)).toBeVisible();

  const steps = page.getByRole("table", { name: "Steps", exact: true });
  const stepRow = (node: string) =>
    steps.getByRole("row").filter({ has: page.getByRole("link", { name: node, exact: true }) });
  for (const node of ["research", "draft"]) {
    await expect(stepRow(node).getByText("reused, not re-run")).toBeVisible();
  }
  await expect(stepRow("lookup")).toContainText("attempt 2");
  await expect(stepRow("lookup")).toContainText("succeeded");
  await expect(stepRow("lookup").getByText("reused, not re-run")).toHaveCount(0);
  // Only the retried step's usage is counted on the new run (lookup: 9 in / 3 out in the workflow).
  await expect(page.getByText("9 / 3", { exact: true })).toBeVisible();
  // …and the failed run still shows what it spent.
  await page.goto(`/runs/${flaky.failedRunId}`);
  await expect(
    page.getByText(`${flaky.failedUsage.inputTokens} / ${flaky.failedUsage.outputTokens}`, { exact: true }),
  ).toBeVisible();

  // Compare the two runs node by node.
  await page.goto(`/runs/${retryId}`);
  await page.getByRole("link", { name: "Compare…" }).click();
  await expect(page).toHaveURL(/\/runs\/compare\?a=/);
  const table = page.getByRole("table", { name: "Node by node" });
  const nodeRow = (node: string) => table.getByRole("row").filter({ has: page.getByText(node, { exact: true }) });
  await expect(nodeRow("lookup")).toContainText("status changed");
  await expect(nodeRow("research")).toContainText("same");
});
