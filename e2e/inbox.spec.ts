// The approvals inbox, end to end: runs are seeded through the real engine (e2e/support/inbox-seed.ts)
// into the e2e server's database; people decide in the browser; the run's canvas watches it go on.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { createApprovalLinkToken } from "../lib/use-cases/approvals/link-token";
import { e2eDataDir, signedInAs } from "./support/auth";

type Seeded = {
  runId: string;
  approvalId: string;
  workflowId: string;
  workspaceId: string;
  approverUserId: string;
  title: string;
};

const FIXTURE = resolve("e2e/fixtures/inbox-refund.json");

/** Creates waiting runs (one per input) with the engine, in the e2e server's database. */
function seedRuns(inputs: { customer: string; amount: number }[]): Seeded[] {
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", resolve("e2e/support/inbox-seed.ts"), FIXTURE, JSON.stringify(inputs)],
    {
      env: {
        ...process.env,
        SWITCHBOARD_DATA_DIR: e2eDataDir(),
        SWITCHBOARD_ROOT: process.cwd(),
        DATABASE_URL: process.env.E2E_DATABASE_URL ?? "",
      },
      encoding: "utf8",
      timeout: 60_000,
    },
  );
  return JSON.parse(out.trim().split("\n").pop() as string) as Seeded[];
}

const unique = (name: string) => `${name}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

async function openApproval(page: Page, seeded: Seeded) {
  await page.goto("/inbox");
  await page.getByRole("link", { name: seeded.title }).click();
  await expect(page.getByRole("heading", { level: 1, name: seeded.title })).toBeVisible();
}

test("an approver approves in the inbox while the run's canvas watches it continue", async ({ browser }) => {
  const [seeded] = seedRuns([{ customer: unique("Canvas"), amount: 80 }]);
  const inbox = await browser.newPage();
  const canvas = await browser.newPage();
  await signedInAs(inbox, "approver");
  // Same browser context? No: separate pages share nothing, so sign the canvas page in too.
  await signedInAs(canvas, "approver", { next: `/workflows/${seeded.workflowId}?run=${seeded.runId}` });
  await expect(canvas.getByRole("status", { name: "Run Waiting" })).toBeVisible();

  await openApproval(inbox, seeded);
  const canvasHref = `/workflows/${seeded.workflowId}?run=${seeded.runId}`;
  await expect(inbox.getByRole("link", { name: "Open the run on the canvas" })).toHaveAttribute("href", canvasHref);
  await expect(
    inbox.getByRole("region", { name: "Data to approve" }).getByText(seeded.title.split(" for ")[1], { exact: true }),
  ).toBeVisible();
  await inbox.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(inbox.getByRole("status").filter({ hasText: "Approved. The run continues." })).toBeVisible();

  await expect(canvas.getByRole("status", { name: "Run Succeeded" })).toBeVisible();
  // the run's page links back to this live view
  await canvas.goto(`/runs/${seeded.runId}`);
  await expect(canvas.getByRole("link", { name: "Watch on canvas" })).toHaveAttribute("href", canvasHref);
});

test("reject needs a reason, then rejects with it", async ({ page }) => {
  const [seeded] = seedRuns([{ customer: unique("Reject"), amount: 300 }]);
  await signedInAs(page, "approver");
  await openApproval(page, seeded);
  await page.getByRole("button", { name: "Reject…" }).click();
  await page.getByRole("button", { name: "Confirm rejection" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "A rejection needs a reason." }).first()).toBeVisible();
  await page.getByLabel("Reason for rejecting (required)").fill("Over the refund limit");
  await page.getByRole("button", { name: "Confirm rejection" }).click();
  await expect(page.getByText("Rejected. The run continues on its rejected path.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("definition").filter({ hasText: /Rejected by approver@acme\.test/ })).toBeVisible();
  await expect(page.getByText("“Over the refund limit”", { exact: false })).toBeVisible();
});

test("edit then approve: an invalid edit is refused by field, a valid one is accepted", async ({ page }) => {
  const [seeded] = seedRuns([{ customer: unique("Edit"), amount: 150 }]);
  await signedInAs(page, "approver");
  await openApproval(page, seeded);
  await page.getByRole("button", { name: "Edit then approve…" }).click();
  const form = page.getByRole("form", { name: "Edit then approve" });
  await form.getByLabel("Amount *").fill("500");
  await form.getByRole("button", { name: "Save and approve" }).click();
  await expect(form.getByRole("alert").filter({ hasText: "must be <= 100" })).toBeVisible();
  await page.reload();
  await expect(page.getByText("Waiting", { exact: true })).toBeVisible();

  await page.getByRole("button", { name: "Edit then approve…" }).click();
  await form.getByLabel("Amount *").fill("95");
  await form.getByRole("button", { name: "Save and approve" }).click();
  await expect(page.getByText("Approved. The run continues.")).toBeVisible();
  await page.reload();
  await expect(page.getByRole("definition").filter({ hasText: /Approved by approver@acme\.test/ })).toBeVisible();
});

test("a viewer sees no actions, and a direct call is refused", async ({ page, baseURL }) => {
  const [seeded] = seedRuns([{ customer: unique("Viewer"), amount: 10 }]);
  await signedInAs(page, "viewer", { next: `/inbox/${seeded.approvalId}` });
  await expect(page.getByRole("heading", { level: 1, name: seeded.title })).toBeVisible();
  await expect(page.getByText("You can read this approval; viewers cannot decide.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Reject…" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Reassign" })).toHaveCount(0);
  // The REST endpoint with the viewer's own session cookie (same origin) is refused.
  const response = await page.request.post(`/api/v1/approvals/${seeded.approvalId}/decision`, {
    data: { decision: "approve" },
    headers: { origin: baseURL as string },
  });
  expect(response.status()).toBe(403);
  const body = (await response.json()) as { error: { code: string } };
  expect(body.error.code).toBe("forbidden:approval");
});

test("reassign to another person: they get it, the former assignee no longer can decide", async ({ browser }) => {
  const [seeded] = seedRuns([{ customer: unique("Reassign"), amount: 40 }]);
  const approver = await browser.newPage();
  await signedInAs(approver, "approver");
  await openApproval(approver, seeded);
  const form = approver.getByRole("form", { name: "Reassign" });
  const select = form.getByLabel("Reassign to");
  const editorOption = await select.locator("option", { hasText: "editor@acme.test" }).getAttribute("value");
  await select.selectOption(editorOption as string);
  await form.getByRole("button", { name: "Reassign" }).click();
  // The page refreshes: the approver is no longer an assignee, the editor is.
  await expect(approver.getByText("This approval is assigned to someone else; you cannot decide it.")).toBeVisible();
  await expect(approver.getByRole("definition").filter({ hasText: "editor@acme.test" })).toBeVisible();
  await approver.reload();
  await expect(approver.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);

  const editor = await browser.newPage();
  await signedInAs(editor, "editor", { next: "/inbox" });
  await expect(editor.getByRole("link", { name: seeded.title })).toBeVisible();
  await editor.getByRole("link", { name: seeded.title }).click();
  await editor.getByRole("button", { name: "Approve", exact: true }).click();
  await expect(editor.getByText("Approved. The run continues.")).toBeVisible();
});

test("bulk approve asks for confirmation listing the selected approvals", async ({ page }) => {
  const tag = unique("Bulk");
  const seeded = seedRuns([
    { customer: `${tag}-a`, amount: 11 },
    { customer: `${tag}-b`, amount: 12 },
    { customer: `${tag}-c`, amount: 13 },
  ]);
  await signedInAs(page, "approver", { next: "/inbox" });
  await page.getByRole("checkbox", { name: `Select ${seeded[0].title}` }).check();
  await page.getByRole("checkbox", { name: `Select ${seeded[1].title}` }).check();
  await page.getByRole("button", { name: "Approve selected (2)" }).click();
  const dialog = page.getByRole("dialog", { name: "Approve 2 approvals?" });
  await expect(dialog.getByRole("listitem")).toHaveCount(2);
  await expect(dialog.getByText(seeded[0].title)).toBeVisible();
  await expect(dialog.getByText(seeded[1].title)).toBeVisible();
  await dialog.getByRole("button", { name: "Confirm approve all" }).click();
  await expect(page.getByText(`Approved: ${seeded[0].title}`)).toBeVisible();
  await expect(page.getByText(`Approved: ${seeded[1].title}`)).toBeVisible();
  // The third one is still waiting; the two approved ones left the list.
  await expect(page.getByRole("link", { name: seeded[2].title })).toBeVisible();
  await expect(page.getByRole("link", { name: seeded[0].title })).toHaveCount(0);
  await page.goto("/inbox?tab=decided");
  await expect(page.getByRole("link", { name: seeded[0].title })).toBeVisible();
});

test("a signed link asks to confirm, decides once, and says so when used again", async ({ page }) => {
  const [seeded] = seedRuns([{ customer: unique("Link"), amount: 25 }]);
  const secrets = JSON.parse(readFileSync(join(e2eDataDir(), "secrets.json"), "utf8")) as {
    SWITCHBOARD_SECRET_KEY: string;
  };
  const token = createApprovalLinkToken(secrets.SWITCHBOARD_SECRET_KEY, {
    approvalId: seeded.approvalId,
    workspaceId: seeded.workspaceId,
    userId: seeded.approverUserId,
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  // Opening the link (twice, like a mail scanner) decides nothing.
  await page.goto(`/approve/${token}`);
  await page.goto(`/approve/${token}`);
  await expect(page.getByRole("heading", { level: 1, name: seeded.title })).toBeVisible();
  await page.getByRole("button", { name: "Confirm: approve" }).click();
  await expect(page.getByText("Approved. The run continues.")).toBeVisible();
  await page.goto(`/approve/${token}`);
  await expect(page.getByRole("heading", { level: 1, name: "Link already used" })).toBeVisible();
  await expect(page.getByText("Nothing was changed.", { exact: true })).toBeVisible();
});
