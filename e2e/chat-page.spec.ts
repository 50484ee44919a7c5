// Chat outside the editor: a published chat workflow has a chat page (/chat/<id>) for members;
// each message is a turn through POST /api/v1/workflows/<id>/chat (server-sent events), the reply
// shown when the run ends. Roles, labels and visible text only.
import { expect, type Page, test } from "@playwright/test";
import { signedInAs } from "./support/auth";

const node = (page: Page, name: string) => page.getByRole("article", { name: `${name}, ` });

test("a published chat workflow answers on its chat page", async ({ page }) => {
  test.slow();
  await signedInAs(page, "editor", { next: "/workflows" });
  await page.getByRole("button", { name: "New workflow" }).click();
  const dialog = page.getByRole("dialog", { name: "New workflow" });
  await dialog.getByLabel("Name").fill("Support chat page");
  await dialog.getByRole("button", { name: "Create blank" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/?]+/);
  const workflowId = new URL(page.url()).pathname.split("/")[2] as string;

  await page.getByRole("button", { name: "Add step after Start" }).click();
  await page.getByRole("button", { name: /^Add Agent:/ }).click();
  await node(page, "Agent").click();
  await page
    .getByRole("region", { name: "Settings for Agent" })
    .getByLabel(/^Prompt/)
    .fill("{{ input.messages[-1].content }}");
  await node(page, "Start").click();
  await page
    .getByRole("region", { name: "Settings for Start" })
    .getByLabel(/^Starts when/)
    .selectOption("chat");
  const panel = page.getByRole("region", { name: "Chat" });
  await panel.getByRole("button", { name: "Add the messages input field" }).click();
  await expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({ timeout: 15_000 });
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Published version 1." })).toBeVisible();
  await expect(panel.getByRole("link", { name: "chat page" })).toHaveAttribute("href", `/chat/${workflowId}`);

  await page.goto(`/chat/${workflowId}`);
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Chat: Support chat page");
  const chat = page.getByRole("region", { name: "Chat" });
  const conversation = chat.getByRole("list", { name: "Conversation" }).getByRole("listitem");
  await chat.getByLabel("Message").fill("Hello there");
  await chat.getByRole("button", { name: "Send" }).click();
  await expect(conversation.first()).toContainText("Hello there");
  // the simulated model answers from its prompt: the conversation's last message
  await expect(conversation.nth(1)).toHaveText("Agent: Simulated answer to: Hello there", { timeout: 20_000 });
  await chat.getByLabel("Message").fill("And again");
  await chat.getByRole("button", { name: "Send" }).click();
  await expect(conversation.nth(3)).toHaveText("Agent: Simulated answer to: And again", { timeout: 20_000 });
  await page.screenshot({ path: "test-results/chat-page.png", fullPage: true });
});
