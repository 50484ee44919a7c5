// The workflow builder, as a person uses it: by roles, labels and visible text only.
import { readFileSync } from "node:fs";
import { expect, type Locator, type Page, test } from "@playwright/test";
import { signedInAs } from "./support/auth";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/workflows/${name}`, import.meta.url), "utf8");

// ---- page objects ----

class WorkflowsPage {
  constructor(readonly page: Page) {}
  async open() {
    await this.page.goto("/workflows");
    await expect(this.page.getByRole("heading", { name: "Workflows", level: 1 })).toBeVisible();
  }
  async createBlank(name: string) {
    await this.page.getByRole("button", { name: "New workflow" }).click();
    const dialog = this.page.getByRole("dialog", { name: "New workflow" });
    await dialog.getByLabel("Name").fill(name);
    await dialog.getByRole("button", { name: "Create blank" }).click();
    await expect(this.page).toHaveURL(/\/workflows\/[^/]+$/);
    return new EditorPage(this.page);
  }
  async importText(text: string) {
    await this.page.getByRole("button", { name: "Import JSON" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Import a workflow" });
    await dialog.getByLabel("Workflow JSON").fill(text);
    await dialog.getByRole("button", { name: "Import" }).click();
    return dialog;
  }
  async importFixture(name: string) {
    await this.importText(fixture(name));
    await expect(this.page).toHaveURL(/\/workflows\/[^/]+$/);
    const editor = new EditorPage(this.page);
    await editor.ready();
    return editor;
  }
}

class EditorPage {
  constructor(readonly page: Page) {}
  node(name: string | RegExp) {
    return this.page.getByRole("article", { name: typeof name === "string" ? `${name}, ` : name });
  }
  get nodes() {
    return this.page.getByRole("article", { name: / step$/ });
  }
  async ready() {
    await expect(this.page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();
    await expect(this.nodes.first()).toBeVisible();
  }
  async saved() {
    await expect(this.page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({
      timeout: 15_000,
    });
  }
  tab(name: RegExp | string) {
    return this.page.getByRole("tab", { name });
  }
  async run() {
    await this.page.getByRole("button", { name: "Run", exact: true }).click();
    const dialog = this.page.getByRole("dialog", { name: "Run this workflow" });
    await dialog.getByRole("button", { name: "Start run" }).click();
    await expect(dialog).toBeHidden();
  }
  nodeStatus(name: string, status: string) {
    return this.page.getByRole("status", { name: `${name}: ${status}` });
  }
}

test.beforeEach(async ({ page }) => {
  await signedInAs(page, "editor", { next: "/workflows" });
});

test("build agent → approval → agent with the keyboard, run it, and it waits for a person", async ({ page }) => {
  const list = new WorkflowsPage(page);
  await list.open();
  const editor = await list.createBlank("Keyboard built");
  await editor.ready();
  await expect(page.getByRole("note", { name: "Getting started" })).toBeVisible();

  // Start → Agent
  await page.getByRole("button", { name: "Add step after Start" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("Filter step types")).toBeFocused();
  await page.getByRole("button", { name: /^Add Agent:/ }).focus();
  await page.keyboard.press("Enter");
  await expect(editor.node("Agent")).toBeVisible();
  // focus moves to the new step's "add next step" button: Agent → Approval
  await expect(page.getByRole("button", { name: "Add step after Agent" })).toBeFocused();
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: /^Add Approval:/ }).focus();
  await page.keyboard.press("Enter");
  await expect(editor.node("Approval")).toBeVisible();
  // Approval (approved) → Agent 2
  await expect(page.getByRole("button", { name: "Add step after Approval" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByLabel("From outcome")).toHaveValue("approved");
  await page.getByRole("button", { name: /^Add Agent:/ }).focus();
  await page.keyboard.press("Enter");
  await expect(editor.node("Agent 2")).toBeVisible();
  await expect(editor.nodes).toHaveCount(4);

  // configure: the second agent's prompt uses the first agent's output
  await editor.node("Agent 2").click();
  const settings = page.getByRole("region", { name: "Settings for Agent 2" });
  await settings.getByLabel(/^Prompt/).fill("Send this: {{ nodes.agent_1.output }}");
  await expect(editor.node("Agent 2")).toContainText("Send this");
  await expect(editor.tab("Checklist ✓")).toBeVisible();
  await editor.saved();
  await page.screenshot({ path: "test-results/builder-editor.png", fullPage: true });

  await editor.run();
  await expect(editor.nodeStatus("Agent", "Succeeded")).toBeVisible({ timeout: 20_000 });
  await expect(editor.nodeStatus("Approval", "Waiting")).toBeVisible({ timeout: 20_000 });
  await expect(editor.node("Approval").getByRole("link", { name: "Open in inbox" })).toHaveAttribute(
    "href",
    /\/inbox\/.+/,
  );
  await expect(page.getByRole("status", { name: "Run Waiting" })).toBeVisible();
  await page.screenshot({ path: "test-results/builder-running.png", fullPage: true });

  // the URL names the run (?run=), so a reload replays its events and keeps watching it
  await expect(page).toHaveURL(/[?&]run=[^&]+/);
  await page.reload();
  await expect(page.getByRole("status", { name: "Run Waiting" })).toBeVisible();
  await expect(editor.nodeStatus("Agent", "Succeeded")).toBeVisible();
  await expect(editor.nodeStatus("Approval", "Waiting")).toBeVisible();
});

test("build by drag and drop, see and fix a validation error, undo and redo, reload keeps it", async ({ page }) => {
  const list = new WorkflowsPage(page);
  await list.open();
  const editor = await list.createBlank("Dragged together");
  await editor.ready();

  const canvas = page.getByRole("region", { name: "Canvas" });
  await page.getByRole("button", { name: /^Add Transform:/ }).dragTo(canvas, { targetPosition: { x: 450, y: 420 } });
  await expect(editor.node("Transform")).toBeVisible();
  await expect(editor.nodes).toHaveCount(2);

  // the new transform has no expression: the checklist and the node say so
  await expect(editor.tab(/Checklist \(\d+\)/)).toBeVisible();
  await expect(editor.node("Transform")).toContainText(/problem/);
  await editor.tab(/Checklist/).click();
  await expect(page.getByRole("region", { name: "Checklist" })).toContainText("Transform");
  // publishing is blocked while problems remain
  await expect(page.getByRole("button", { name: "Publish", exact: true })).toHaveAttribute("aria-disabled", "true");

  // fix it in the side panel: the inline error goes away
  await page.getByRole("region", { name: "Checklist" }).getByRole("button", { name: "Transform" }).click();
  const settings = page.getByRole("region", { name: "Settings for Transform" });
  await settings.getByLabel(/^Expression/).fill("$uppercase(input.message)");
  // connect Start → Transform by keyboard-free pointer: drag from the Start handle to the transform
  // leave the field first (as a person does), so its edit is committed before the drag starts
  await settings.getByLabel(/^Expression/).press("Tab");
  await dragConnection(page, page.getByLabel("Start: next"), page.getByLabel("Into Transform"));
  await expect(editor.tab("Checklist ✓")).toBeVisible();

  // undo / redo with the keyboard on the canvas (not in a field)
  await canvas.click({ position: { x: 60, y: 60 } });
  await page.keyboard.press("Control+z");
  await expect(editor.tab(/Checklist \(\d+\)/)).toBeVisible(); // the connection is gone again
  await page.keyboard.press("Control+Shift+z");
  await expect(editor.tab("Checklist ✓")).toBeVisible();
  // Ctrl+Z inside a text field edits the text, never the canvas
  await editor.node("Transform").click();
  await settings.getByLabel(/^Expression/).press("Control+z");
  await expect(editor.nodes).toHaveCount(2);
  await expect(editor.tab("Checklist ✓").or(editor.tab(/Checklist \(/))).toBeVisible();
  await settings.getByLabel(/^Expression/).fill("$uppercase(input.message)");

  // delete with the keyboard, undo brings it back
  await editor.node("Transform").click();
  await page.keyboard.press("Delete");
  await expect(editor.nodes).toHaveCount(1);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(editor.nodes).toHaveCount(2);

  // copy/paste and duplicate
  await editor.node("Transform").click();
  await page.keyboard.press("Control+d");
  await expect(editor.nodes).toHaveCount(3);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(editor.nodes).toHaveCount(2);

  await editor.saved();
  await page.reload();
  await editor.ready();
  await expect(editor.nodes).toHaveCount(2);
  await expect(editor.node("Transform")).toContainText("$uppercase(input.message)");

  // publish: a version with who and when
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1." })).toBeVisible();
  await editor.tab("Versions").click();
  await expect(page.getByRole("region", { name: "Versions" })).toContainText("Version 1");
  await expect(page.getByRole("region", { name: "Versions" })).toContainText("Erin");
});

test("import lists every problem and saves nothing; export and import round-trip", async ({ page }) => {
  const list = new WorkflowsPage(page);
  await list.open();
  const before = await page.getByRole("list", { name: "Workflows" }).getByRole("listitem").count();
  const dialog = await list.importText(fixture("invalid.json"));
  const problems = dialog.getByRole("list", { name: "Import problems" }).getByRole("listitem");
  await expect(problems.first()).toBeVisible();
  expect(await problems.count()).toBeGreaterThanOrEqual(3);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.reload();
  await expect(page.getByRole("list", { name: "Workflows" }).getByRole("listitem")).toHaveCount(before);

  // export a template workflow, import the file, the copy opens with the same steps
  const downloadPromise = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export Support triage with refund approval" }).click();
  const download = await downloadPromise;
  const text = readFileSync((await download.path())!, "utf8");
  const exported = JSON.parse(text);
  expect(exported.format).toBe("switchboard.workflow/v1");
  expect(exported.nodes.length).toBeGreaterThan(5);
  await list.importText(text);
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  const editor = new EditorPage(page);
  await editor.ready();
  await expect(editor.nodes).toHaveCount(exported.nodes.length);
  await expect(page.getByLabel("Workflow name")).toHaveValue(exported.name);
});

test("a run shows every step's final status live; a failing step shows its error", async ({ page }) => {
  const list = new WorkflowsPage(page);
  await list.open();
  await page.getByRole("link", { name: "Three specialists and a summariser" }).click();
  const editor = new EditorPage(page);
  await editor.ready();
  await editor.run();
  for (const name of [
    "Proposal",
    "Legal specialist",
    "Finance specialist",
    "Security specialist",
    "Summariser",
    "Recommendation",
  ]) {
    await expect(editor.nodeStatus(name, "Succeeded")).toBeVisible({ timeout: 30_000 });
  }
  await expect(page.getByRole("status", { name: "Run Succeeded" })).toBeVisible();
  await expect(page.getByLabel("Tokens used")).not.toHaveText("0");
  // step details: input, output (labelled simulated), tokens
  await editor.node("Summariser").click();
  await expect(page.getByRole("region", { name: "Run" })).toContainText("Output (simulated)");

  await list.open();
  const failing = await list.importFixture("failing-step.json");
  await failing.run();
  await expect(failing.nodeStatus("Flaky agent", "Failed")).toBeVisible({ timeout: 30_000 });
  await expect(failing.node("Flaky agent")).toContainText(/error|fail/i);
  await expect(page.getByRole("status", { name: "Run Failed" })).toBeVisible();
  await failing.node("Flaky agent").click();
  await expect(page.getByRole("region", { name: "Run" }).getByText("Error", { exact: true })).toBeVisible();
});

test("cancel stops a running run", async ({ page }) => {
  const list = new WorkflowsPage(page);
  await list.open();
  const editor = await list.importFixture("slow-run.json");
  await editor.run();
  await expect(editor.nodeStatus("Slow agent", "Running")).toBeVisible({ timeout: 20_000 });
  await page.getByRole("button", { name: "Cancel run" }).click();
  await expect(page.getByRole("status", { name: "Run Cancelled" })).toBeVisible({ timeout: 20_000 });
  await expect(editor.nodeStatus("Slow agent", "Running")).toBeHidden();
});

test("a conflicting save from a second page is detected, never overwritten", async ({ page, context }) => {
  const list = new WorkflowsPage(page);
  await list.open();
  const editor = await list.createBlank("Edited twice");
  await editor.ready();
  const url = page.url();

  const other = await context.newPage();
  await other.goto(url);
  const otherEditor = new EditorPage(other);
  await otherEditor.ready();

  // page 1 saves first
  await page.getByLabel("Workflow name").fill("Edited twice — by page one");
  await editor.saved();
  // page 2 still has the old revision: its save is refused with a choice
  await other.getByLabel("Workflow name").fill("Edited twice — by page two");
  const conflict = other.getByRole("dialog", { name: "Someone else changed this workflow" });
  await expect(conflict).toBeVisible({ timeout: 15_000 });
  await conflict.getByRole("button", { name: "Reload their version" }).click();
  await expect(other.getByLabel("Workflow name")).toHaveValue("Edited twice — by page one");
  await page.reload();
  await expect(page.getByLabel("Workflow name")).toHaveValue("Edited twice — by page one");
});

/**
 * Drags a connection from one handle to another the way a person does: press, move in small
 * steps, release. (A one-step `dragTo` can skip React Flow's connection start on a busy machine.)
 */
/** The box of an element once it has stopped moving (the canvas animates when it centres a step). */
async function settledBox(page: Page, target: Locator) {
  let last = await target.boundingBox();
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(50);
    const next = await target.boundingBox();
    if (last && next && last.x === next.x && last.y === next.y) return next;
    last = next;
  }
  return last;
}

async function dragConnection(page: Page, from: Locator, to: Locator) {
  const a = await settledBox(page, from);
  const b = await settledBox(page, to);
  if (!a || !b) throw new Error("handle not visible");
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(a.x + a.width / 2 + 10, a.y + a.height / 2 + 10, { steps: 3 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 15 });
  await page.mouse.up();
}
