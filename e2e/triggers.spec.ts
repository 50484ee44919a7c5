// Triggers as a person uses them: input fields designed in the trigger's panel (no JSON), used
// through the variable picker and filled in the generated run form; a webhook's test URL shown
// live in the editor; the schedule preview; the chat panel. Roles, labels and visible text only.
import { expect, type Page, test } from "@playwright/test";
import { signedInAs } from "./support/auth";

async function createBlank(page: Page, name: string) {
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  const dialog = page.getByRole("dialog", { name: "New workflow" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create blank" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/?]+/);
  await expect(page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();
}

const node = (page: Page, name: string) => page.getByRole("article", { name: `${name}, ` });
const saved = (page: Page) =>
  expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({ timeout: 15_000 });

async function addStepAfter(page: Page, after: string, type: string) {
  await page.getByRole("button", { name: `Add step after ${after}` }).click();
  await page.getByRole("button", { name: new RegExp(`^Add ${type}:`) }).click();
}

test.beforeEach(async ({ page }) => {
  await signedInAs(page, "editor", { next: "/workflows" });
});

test("design two input fields, use one through the picker, run with the generated form; a missing field is a checklist problem", async ({
  page,
}) => {
  test.slow(); // builds, runs and edits again: three times the usual time on a busy machine
  await createBlank(page, "Designed inputs");
  await addStepAfter(page, "Start", "Agent");
  await expect(node(page, "Agent")).toBeVisible();

  await node(page, "Start").click();
  const trigger = page.getByRole("region", { name: "Input fields" });
  // a blank workflow starts with one field, `message`: replace it with two designed ones
  await trigger.getByRole("button", { name: "Remove field 1" }).click();
  await expect(trigger.getByRole("group")).toHaveCount(0);
  await trigger.getByRole("button", { name: "Add input field" }).click();
  await trigger.getByLabel("Field 1 name").fill("topic");
  await trigger.getByLabel("Field 1 required").check();
  await trigger.getByLabel("Field 1 description").fill("What to write about");
  await trigger.getByRole("button", { name: "Add input field" }).click();
  await trigger.getByLabel("Field 2 name").fill("tone");
  await trigger.getByLabel("Field 2 type").selectOption("string");
  await trigger.getByLabel("Field 2 example").fill("friendly");
  await expect(trigger.getByRole("group")).toHaveCount(2);
  await page.screenshot({ path: "test-results/triggers-inputs.png", fullPage: true });

  await node(page, "Agent").click();
  const settings = page.getByRole("region", { name: "Settings for Agent" });
  const prompt = settings.getByLabel(/^Prompt/);
  await prompt.fill("Write about ");
  // the prompt field's own "Insert a variable" (each template field has one)
  const picker = settings.locator("details").filter({ has: page.locator('ul[aria-label^="Variables for Prompt"]') });
  await picker.getByText("Insert a variable").click();
  await picker.getByRole("button", { name: "input.topic" }).click();
  await expect(prompt).toHaveValue(/\{\{ input\.topic \}\}/);
  await expect(page.getByRole("tab", { name: "Checklist ✓" })).toBeVisible();
  await saved(page);

  // the run form is generated from the fields
  await page.getByRole("button", { name: "Run", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Run this workflow" });
  await expect(dialog.getByText("What to write about")).toBeVisible();
  await dialog.getByLabel(/^topic/).fill("otters");
  await expect(dialog.getByLabel(/^tone/)).toHaveAttribute("placeholder", "e.g. friendly");
  await dialog.getByLabel(/^tone/).fill("cheerful");
  await dialog.getByRole("button", { name: "Start run" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("status", { name: "Agent: Succeeded" })).toBeVisible({ timeout: 20_000 });

  // a template naming a field that does not exist
  await node(page, "Agent").click();
  await page.getByRole("tab", { name: "Step" }).click();
  await prompt.fill("Write about {{ input.subject }}");
  await expect(page.getByRole("tab", { name: /Checklist \(1\)/ })).toBeVisible();
  await page.getByRole("tab", { name: /Checklist/ }).click();
  await expect(page.getByRole("region", { name: "Checklist" })).toContainText('input field "subject"');
});

test("the webhook's test URL shows a posted request in the editor", async ({ page }) => {
  await createBlank(page, "Listening hook");
  await node(page, "Start").click();
  await page
    .getByRole("region", { name: "Settings for Start" })
    .getByLabel(/^Starts when/)
    .selectOption("webhook");
  const hook = page.getByRole("region", { name: "Webhook" });
  await expect(hook.getByLabel("Production URL")).toHaveValue(/\/api\/hooks\/[^/]+$/);
  await hook.getByRole("button", { name: "Listen for a test request" }).click();
  await expect(hook.getByRole("button", { name: /Listening…/ })).toBeVisible();
  const testUrl = await hook.getByLabel("Test URL").inputValue();
  const answer = await page.request.post(testUrl, {
    data: { ticket: "printer on fire" },
    headers: { "x-source": "helpdesk" },
  });
  expect(answer.status()).toBe(200);
  const received = hook.getByRole("list", { name: "Test requests" });
  await expect(received).toContainText("printer on fire");
  await expect(received).toContainText("POST received");
  await hook.screenshot({ path: "test-results/triggers-webhook-panel.png" });
});

test("the schedule panel previews the next five fire times", async ({ page }) => {
  await createBlank(page, "Weekday mornings");
  await node(page, "Start").click();
  const settings = page.getByRole("region", { name: "Settings for Start" });
  await settings.getByLabel(/^Starts when/).selectOption("schedule");
  await settings.getByLabel(/^Cron schedule/).fill("0 9 * * 1-5");
  await settings.getByLabel(/^Time zone/).fill("Europe/Paris");
  const times = page.getByRole("list", { name: "Next fire times" }).getByRole("listitem");
  await expect(times).toHaveCount(5);
  await expect(page.getByRole("region", { name: "Schedule" })).toContainText("Not scheduled yet");
  await page.getByRole("region", { name: "Schedule" }).screenshot({ path: "test-results/triggers-schedule-panel.png" });
});

test("the chat panel starts a run per message and shows the reply", async ({ page }) => {
  await createBlank(page, "Chatty");
  await addStepAfter(page, "Start", "Agent");
  await node(page, "Agent").click();
  const agent = page.getByRole("region", { name: "Settings for Agent" });
  await agent.getByLabel(/^Prompt/).fill("{{ input.messages[-1].content }}");
  await node(page, "Start").click();
  await page
    .getByRole("region", { name: "Settings for Start" })
    .getByLabel(/^Starts when/)
    .selectOption("chat");
  const chat = page.getByRole("region", { name: "Chat" });
  // chat runs start with { messages }: the panel offers the input field
  await chat.getByRole("button", { name: "Add the messages input field" }).click();
  await expect(page.getByRole("tab", { name: "Checklist ✓" })).toBeVisible();
  await saved(page);
  await chat.getByLabel("Message").fill("Hello there");
  await chat.getByRole("button", { name: "Send" }).click();
  const conversation = chat.getByRole("list", { name: "Conversation" }).getByRole("listitem");
  await expect(conversation.first()).toContainText("Hello there");
  await expect(conversation).toHaveCount(2, { timeout: 20_000 });
  // the simulated model answers from its prompt: the last message
  await expect(conversation.nth(1)).toHaveText("Agent: Simulated answer to: Hello there", { timeout: 20_000 });
  await chat.getByLabel("Message").fill("And again");
  await chat.getByRole("button", { name: "Send" }).click();
  await expect(conversation).toHaveCount(4, { timeout: 20_000 });
  await expect(conversation.nth(3)).toHaveText("Agent: Simulated answer to: And again", { timeout: 20_000 });
  await chat.screenshot({ path: "test-results/triggers-chat-panel.png" });
});
