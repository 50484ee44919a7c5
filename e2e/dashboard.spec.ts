// The dashboard shows the seeded figures: every number below is computed here, from the rows the
// seed inserted, and compared with what the page renders (tiles, chart tables, click-through).
import { expect, test } from "@playwright/test";
import { type HistorySeed, seedHistory } from "./history-seed";
import { signedInAs } from "./support/auth";

let seed: HistorySeed;

test.beforeAll(() => {
  // Its own window, away from runs.spec.ts's and from anything other specs run today.
  seed = seedHistory(["--end", "2025-12-10", "--no-flaky"]);
});

function percentileCont(sorted: number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** The page's own formats, restated here so the test does not import the code under test. */
const seconds = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`);
const usd = (v: number) => (v < 0.01 ? `$${Number(v.toPrecision(2))}` : `$${v.toFixed(2)}`);

test("the dashboard shows the seeded figures and links to the runs it counts", async ({ page }) => {
  const runs = seed.runs;
  const count = (s: string) => runs.filter((r) => r.status === s).length;
  const finished = count("succeeded") + count("failed") + count("cancelled");
  const durations = runs
    .map((r) => r.durationMs)
    .filter((d): d is number => d !== null)
    .sort((a, b) => a - b);
  const cost = runs.reduce((n, r) => n + r.costUsd, 0);
  const durationText = (ms: number) =>
    ms < 60_000 ? seconds(ms) : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

  await signedInAs(page, "viewer", { next: `/dashboard?from=${seed.window.from}&to=2025-12-09` });
  const summary = page.getByRole("list", { name: "Summary" });
  const esc = (v: string) => v.replace(/[.$()]/g, (c) => `\\${c}`);
  const tile = (label: string, value: string) =>
    expect(summary.getByRole("link", { name: new RegExp(`^${label}: ${esc(value)}(,|$)`) })).toBeVisible();
  await tile("Runs", runs.length.toLocaleString("en-US"));
  await tile("Success rate", `${((count("succeeded") / finished) * 100).toFixed(1)}%`);
  await tile("p50 duration", durationText(percentileCont(durations, 0.5)));
  await tile("p95 duration", durationText(percentileCont(durations, 0.95)));
  await tile("Cost", usd(cost));

  // Runs per workflow, from the chart's table view.
  const byWorkflow = page.getByRole("region", { name: "Cost by workflow" });
  await byWorkflow.getByText("Show as table").click();
  for (const wf of seed.workflows) {
    const n = runs.filter((r) => r.workflowId === wf.id).length;
    await expect(byWorkflow.getByRole("row", { name: new RegExp(`^${wf.name} ${n} `) })).toBeVisible();
  }

  // Nodes that fail most: the top node's failures, and its link lists exactly those runs.
  const failures = new Map<string, { n: number; runs: Set<string> }>();
  const wfOf = new Map(runs.map((r) => [r.id, r.workflowId]));
  for (const s of seed.steps.filter((st) => st.status === "failed")) {
    const key = `${wfOf.get(s.runId)}|${s.nodeId}`;
    const cur = failures.get(key) ?? { n: 0, runs: new Set<string>() };
    cur.n += 1;
    cur.runs.add(s.runId);
    failures.set(key, cur);
  }
  const [topKey, top] = [...failures.entries()].sort((a, b) => b[1].n - a[1].n || (a[0] < b[0] ? -1 : 1))[0]!;
  const failing = page.getByRole("region", { name: "Nodes that fail most" });
  await failing.getByText("Show as table").click();
  const [wfId, nodeId] = topKey.split("|");
  const wfName = seed.workflows.find((w) => w.id === wfId)!.name;
  const row = failing.getByRole("row", { name: new RegExp(`^${wfName} · ${nodeId} `) });
  await expect(row).toContainText(String(top.n));
  await row.getByRole("link").click();
  await expect(page).toHaveURL(/\/runs\?.*failedNodeId=/);
  await expect(page.getByRole("table", { name: "Runs", exact: true }).locator("tbody tr")).toHaveCount(top.runs.size);

  // The Runs tile opens the runs list for the same range.
  await page.goto(`/dashboard?from=${seed.window.from}&to=2025-12-09`);
  await summary.getByRole("link", { name: /^Runs: / }).click();
  await expect(page).toHaveURL(/\/runs\?from=.*&to=/);
  await expect(page.getByRole("table", { name: "Runs", exact: true }).locator("tbody tr")).toHaveCount(
    Math.min(runs.length, 50),
  );
});

test("a range without runs says so instead of drawing empty charts", async ({ page }) => {
  await signedInAs(page, "viewer", { next: "/dashboard?from=2020-01-01&to=2020-01-02" });
  await expect(page.getByRole("heading", { name: "No runs in this range" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Open workflows" })).toHaveAttribute("href", "/workflows");
  await expect(page.getByRole("region", { name: "Runs by status" })).toHaveCount(0);
});
