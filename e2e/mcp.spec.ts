// MCP tools as people use them: an admin registers the repository's test MCP server (stdio, its
// command pinned in Settings → MCP servers) and marks a tool as needing approval; an editor adds a
// tool step, picks a tool from the discovered list, fills the form generated from its input schema
// and runs it; an agent whose tool needs approval pauses, and the approver edits the call's
// arguments in the inbox before approving.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { expect, type Page, test } from "@playwright/test";
import { signedInAs, signInAs, signOut } from "./support/auth";

// serial: the later tests use the server the first one registers; generous time on a busy machine
test.describe.configure({ mode: "serial", timeout: 120_000 });

const SERVER = "helpdesk";
const fixture = (name: string) => readFileSync(new URL(`./fixtures/workflows/${name}`, import.meta.url), "utf8");

test.beforeAll(async ({ request }) => {
  await request.get("/signin");
});

/** Through the form: for a test that signs out again (the stored sessions must stay valid). */
async function signIn(page: Page, role: "admin" | "editor" | "approver") {
  try {
    await signInAs(page, role);
  } catch {
    await signInAs(page, role);
  }
}

test("an admin registers the test MCP server and marks a tool as needing approval", async ({ page }) => {
  await signedInAs(page, "admin", { next: "/settings" });
  await page.getByRole("link", { name: "Manage MCP servers" }).click();
  await expect(page.getByRole("heading", { name: "MCP servers", level: 1 })).toBeVisible();

  await page.getByRole("button", { name: "Add MCP server" }).click();
  const dialog = page.getByRole("dialog", { name: "Add MCP server" });
  await dialog.getByLabel("Name").fill(SERVER);
  await dialog.getByLabel("Transport").selectOption("stdio");
  await dialog.getByLabel("Command").fill(process.execPath);
  await dialog
    .getByLabel("Arguments")
    .fill(["--import", "tsx", resolve("tests/mcp-server/server.ts"), "--stdio"].join("\n"));
  await dialog.getByRole("button", { name: "Add server" }).click();
  await expect(dialog).toBeHidden({ timeout: 30_000 });

  const tools = page.getByRole("list", { name: `Tools of ${SERVER}` });
  await expect(tools.getByText("create_ticket", { exact: true })).toBeVisible();
  await expect(tools.getByText("add", { exact: true })).toBeVisible();
  await page.getByLabel("create_ticket needs approval").check();
  await expect(page.getByLabel("create_ticket needs approval")).toBeChecked();
  await page.reload();
  await expect(page.getByLabel("create_ticket needs approval")).toBeChecked();
});

test("an editor adds a tool step, picks a discovered tool, fills its form and runs it", async ({ page }) => {
  await signedInAs(page, "editor", { next: "/workflows" });
  await page.getByRole("button", { name: "New workflow" }).click();
  const dialog = page.getByRole("dialog", { name: "New workflow" });
  await dialog.getByLabel("Name").fill("Add with MCP");
  await dialog.getByRole("button", { name: "Create blank" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();

  await page.getByRole("button", { name: "Add step after Start" }).click();
  await page.getByRole("button", { name: /^Add MCP tool:/ }).click();
  const settings = page.getByRole("region", { name: "Settings for MCP tool" });
  await settings.getByLabel(/^MCP server/).selectOption(SERVER);
  const tool = settings.getByLabel(/^Tool/);
  await expect(tool.locator("option", { hasText: "create_ticket (needs approval)" })).toHaveCount(1);
  await tool.selectOption("add");
  const args = settings.getByRole("group", { name: "Arguments of add" });
  await args.getByLabel("a *").fill("2");
  await args.getByLabel("b *").fill("40");
  await expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({ timeout: 15_000 });

  await page.getByRole("button", { name: "Run", exact: true }).click();
  const run = page.getByRole("dialog", { name: "Run this workflow" });
  await run.getByRole("button", { name: "Start run" }).click();
  await expect(run).toBeHidden();
  await expect(page.getByRole("status", { name: "MCP tool: succeeded" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("article", { name: /^MCP tool, / }).click();
  await page.getByRole("tab", { name: "Run" }).click();
  await page.getByText("Output", { exact: true }).first().click();
  await expect(page.getByText(/"structured": \{\s*"sum": 42\s*\}/)).toBeVisible();
});

test("an agent's tool that needs approval pauses; the approver edits the arguments, then approves", async ({
  page,
}) => {
  await signIn(page, "editor");
  await page.goto("/workflows");
  await page.getByRole("button", { name: "Import JSON" }).click();
  const dialog = page.getByRole("dialog", { name: "Import a workflow" });
  await dialog.getByLabel("Workflow JSON").fill(fixture("mcp-agent-approval.json"));
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const run = page.getByRole("dialog", { name: "Run this workflow" });
  await run.getByRole("button", { name: "Start run" }).click();
  await expect(run).toBeHidden();
  await expect(page.getByRole("status", { name: "Ticket agent: waiting" })).toBeVisible({ timeout: 30_000 });
  await signOut(page);

  await signedInAs(page, "approver", { next: "/inbox" });
  await page
    .getByRole("link", { name: `Call create_ticket on ${SERVER}` })
    .first()
    .click();
  await expect(page.getByRole("heading", { level: 1, name: `Call create_ticket on ${SERVER}` })).toBeVisible();
  const data = page.getByRole("region", { name: "Data to approve" });
  await expect(data.getByText("Printer jam", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Edit then approve…" }).click();
  const form = page.getByRole("form", { name: "Edit then approve" });
  await form.getByLabel("title *").fill("Printer jam on floor 3");
  await form.getByLabel("priority").selectOption("high");
  await form.getByRole("button", { name: "Save and approve" }).click();
  await expect(page.getByText("Approved. The run continues.")).toBeVisible();
  await page
    .getByRole("link", { name: /Open the run/ })
    .first()
    .click();
  await expect(page.getByRole("status", { name: "Run Succeeded" })).toBeVisible({ timeout: 30_000 });
  await page.getByRole("article", { name: /^Ticket agent, / }).click();
  await page.getByRole("tab", { name: "Run" }).click();
  await page.getByText("Input", { exact: true }).first().click();
  await expect(page.getByText(/Created ticket “Printer jam on floor 3” \(high\)/)).toBeVisible();
});
