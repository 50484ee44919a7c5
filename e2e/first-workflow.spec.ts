// A person who has never written JSON builds, tests and ships a workflow: from a blank workflow, a
// trigger with two input fields, an agent on a real (OpenAI-compatible) provider — the fake
// provider, started here on 127.0.0.1 and registered the way an admin would — an approval for the
// approvers with a two-day deadline, and an end, all through forms. They run it; an approver sees
// the agent's draft, edits it and approves; the edited text is the run's output. Roles, labels and
// visible text only (the editor's layout may move things around).
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { expect, type Page, test } from "@playwright/test";
import { type FakeProvider, startFakeProvider } from "../tests/fake-provider/server";
import { e2eDataDir, signedInAs } from "./support/auth";

const PROVIDER = "helpdesk";
const EDITED = "Hi Ann, your refund of $20 is on its way. Sorry for the wait!";

let fake: FakeProvider;

test.beforeAll(async ({ request }) => {
  fake = await startFakeProvider();
  // not execFileSync: the fake provider answers from this process, and the seed asks it for its models
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", resolve("e2e/support/first-workflow-seed.ts"), fake.baseUrls.openaiCompatible, PROVIDER],
    { env: { ...process.env, SWITCHBOARD_DATA_DIR: e2eDataDir(), DATABASE_URL: "" }, encoding: "utf8" },
  );
  await request.get("/signin");
});

test.afterAll(async () => {
  await fake?.stop();
});

const node = (page: Page, name: string) => page.getByRole("article", { name: `${name}, ` });
const settingsFor = (page: Page, name: string) => page.getByRole("region", { name: `Settings for ${name}` });
const saved = (page: Page) =>
  expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({ timeout: 15_000 });

async function addStepAfter(page: Page, after: string, type: string) {
  await page.getByRole("button", { name: `Add step after ${after}` }).click();
  await page.getByRole("button", { name: new RegExp(`^Add ${type}:`) }).click();
  await expect(node(page, type)).toBeVisible();
}

test("first workflow: build with forms only, run, approve with an edit, the edited text is the output", async ({
  page,
  browser,
}) => {
  test.slow(); // builds, runs, and decides in a second browser

  await signedInAs(page, "editor", { next: "/workflows" });
  await page.getByRole("button", { name: "New workflow" }).click();
  const create = page.getByRole("dialog", { name: "New workflow" });
  await create.getByLabel("Name").fill("Refund reply");
  await create.getByRole("button", { name: "Create blank" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/?]+/);
  await expect(page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();

  // Start → Agent → Approval → (approved) End
  await addStepAfter(page, "Start", "Agent");
  await addStepAfter(page, "Agent", "Approval");
  await page.getByRole("button", { name: "Add step after Approval" }).click();
  await expect(page.getByLabel("From outcome")).toHaveValue("approved");
  await page.getByRole("button", { name: /^Add End:/ }).click();
  await expect(node(page, "End")).toBeVisible();

  // The trigger: two input fields, designed in its panel
  await node(page, "Start").click();
  const inputs = page.getByRole("region", { name: "Input fields" });
  await inputs.getByRole("button", { name: "Remove field 1" }).click();
  await inputs.getByRole("button", { name: "Add input field" }).click();
  await inputs.getByLabel("Field 1 name").fill("customer");
  await inputs.getByLabel("Field 1 required").check();
  await inputs.getByRole("button", { name: "Add input field" }).click();
  await inputs.getByLabel("Field 2 name").fill("question");
  await inputs.getByLabel("Field 2 description").fill("What the customer asked");
  await expect(inputs.getByRole("group")).toHaveCount(2);

  // The agent: the provider's model from the workspace's list, a prompt with variables from the picker
  await node(page, "Agent").click();
  const agent = settingsFor(page, "Agent");
  await agent.getByRole("combobox", { name: "Provider", exact: true }).selectOption(PROVIDER);
  await agent.getByRole("combobox", { name: "Provider's model" }).selectOption(`${PROVIDER}:fake-ok`);
  const prompt = agent.getByLabel(/^Prompt/);
  await prompt.fill("Write a short, kind reply to ");
  const picker = agent.locator("details").filter({ has: page.locator('ul[aria-label^="Variables for Prompt"]') });
  await picker.getByText("Insert a variable").click();
  await picker.getByRole("button", { name: "input.customer", exact: true }).click();
  await expect(prompt).toHaveValue(/\{\{ input\.customer \}\}/);

  // The approval: for approvers (ticked by default), a deadline in words, editable by the approver
  await node(page, "Approval").click();
  const approval = settingsFor(page, "Approval");
  await approval.getByLabel(/^Title/).fill("Send the reply to {{ input.customer }}?");
  const who = approval.getByRole("group", { name: "Who decides" });
  await expect(who.getByLabel("Approvers", { exact: true })).toBeChecked();
  await expect(who.getByLabel(/approver@acme\.test/)).toBeVisible(); // members are offered by name
  const deadline = approval.getByLabel("Deadline", { exact: true });
  await expect(deadline).toHaveValue("7 days");
  await deadline.fill("2 dayz");
  await expect(approval.getByRole("alert")).toHaveText("Enter a duration like 2 days, 4 hours or 30 minutes.");
  await deadline.fill("2 days");
  await expect(approval.getByRole("alert")).toHaveCount(0);
  await approval.getByLabel("Let the person edit the data").check();
  await expect(node(page, "Approval")).toContainText("Deadline 2 days");
  // nothing follows "rejected": a warning (not a problem) says what a rejection will do
  await page.getByRole("tab", { name: /Checklist/ }).click();
  await expect(page.getByRole("region", { name: "Warnings" })).toContainText('Nothing follows "rejected"');
  await expect(page.getByRole("region", { name: "Checklist" })).toContainText("No problems");
  await saved(page);

  // Run it with the generated form
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const run = page.getByRole("dialog", { name: "Run this workflow" });
  await run.getByLabel(/^customer/).fill("Ann");
  await run.getByLabel(/^question/).fill("Where is my refund?");
  await run.getByRole("button", { name: "Start run" }).click();
  await expect(run).toBeHidden();
  await expect(page.getByRole("status", { name: "Agent: Succeeded" })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("status", { name: "Approval: Waiting" })).toBeVisible({ timeout: 20_000 });
  await expect(page).toHaveURL(/[?&]run=[^&]+/);
  const runId = new URL(page.url()).searchParams.get("run")!;

  // The approver sees the agent's draft (not "(empty)"), edits it as plain text and approves
  const approverContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  const approver = await approverContext.newPage();
  try {
    await signedInAs(approver, "approver", { next: "/inbox" });
    await approver.getByRole("link", { name: "Send the reply to Ann?" }).first().click();
    const shown = approver.getByRole("region", { name: "Data to approve" }).first();
    await expect(shown).toContainText("Echo");
    await expect(shown).toContainText("Ann");
    await approver.getByRole("button", { name: "Edit then approve…" }).click();
    const form = approver.getByRole("form", { name: "Edit then approve" });
    const text = form.getByLabel("Text to approve");
    await expect(text).toHaveValue(/Echo .*Ann/);
    await text.fill(EDITED);
    await form.getByRole("button", { name: "Save and approve" }).click();
    await expect(approver.getByRole("status").filter({ hasText: "Approved. The run continues." })).toBeVisible();
    await expect(form.getByRole("alert")).toHaveCount(0);
  } finally {
    await approverContext.close();
  }

  // The run ends with the edited text as its output
  await expect(page.getByRole("status", { name: "Run Succeeded" })).toBeVisible({ timeout: 30_000 });
  await page.goto(`/runs/${runId}`);
  await expect(page.getByRole("region", { name: "Run input and output" })).toContainText(EDITED);
  expect(fake.requests.some((r) => r.model === "fake-ok")).toBe(true);
});
