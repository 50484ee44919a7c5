// An admin resets a member's forgotten password from Settings → Members: they confirm, read the
// generated password (shown once), and the member signs in with it in another browser — their old
// session ended, their old password refused; a refusal shows inline. The member is a fresh person
// invited in this test (the seeded roles' passwords and sessions are shared by the other specs).
import { expect, type Page, test } from "@playwright/test";
import { signedInAs } from "./support/auth";

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("an admin resets a member's password; the member signs in with the new one", async ({
  page,
  browser,
  baseURL,
}) => {
  const email = `rita-${Date.now().toString(36)}@acme.test`;
  const own = "ritas own password 1";
  const admin = await signedInAs(page, "admin", { next: "/settings" });
  await page.context().grantPermissions(["clipboard-read", "clipboard-write"]);

  // the admin invites Rita; she creates her account and signs in in her own browser
  const invite = page.getByRole("dialog", { name: "Invite member" });
  await expect(async () => {
    await page.getByRole("button", { name: "Invite member" }).click();
    await expect(invite).toBeVisible({ timeout: 1000 });
  }).toPass();
  await invite.getByLabel("Email").fill(email);
  await invite.getByRole("button", { name: "Invite" }).click();
  const created = page.getByRole("dialog", { name: "Invitation created" });
  const link = (await created.getByTestId("invite-link").textContent())?.trim() ?? "";
  await created.getByRole("button", { name: "Done" }).click();

  const rita = await browser.newContext({ baseURL });
  const ritaPage = await rita.newPage();
  await ritaPage.goto(new URL(link).pathname);
  await ritaPage.getByLabel("Your name").fill("Rita Reset");
  await ritaPage.getByLabel("Choose a password").fill(own);
  await ritaPage.getByRole("button", { name: "Create account and join" }).click();
  await expect(ritaPage.getByText("Your account is ready")).toBeVisible();
  await signIn(ritaPage, email, own);
  await expect(ritaPage).not.toHaveURL(/\/signin/);

  // the admin: a "Reset password" button on Rita's row, none on their own
  await page.reload();
  const members = page.getByRole("table", { name: "Members" });
  await expect(members.getByRole("cell", { name: email, exact: true })).toBeVisible();
  await expect(members.getByRole("button", { name: `Reset password of ${admin.email}` })).toHaveCount(0);
  const confirm = page.getByRole("dialog", { name: "Reset password?" });
  await expect(async () => {
    await members.getByRole("button", { name: `Reset password of ${email}` }).click();
    await expect(confirm).toBeVisible({ timeout: 1000 });
  }).toPass();
  await expect(confirm).toContainText("A new password is generated");
  await expect(confirm).toContainText("every session of theirs is signed out");
  await expect(confirm).toContainText("You tell them the new password yourself");
  await confirm.getByRole("button", { name: "Reset password" }).click();

  const shown = page.getByRole("dialog", { name: "Password reset" });
  await expect(shown).toContainText("It will not be shown again.");
  const field = shown.getByLabel("New password");
  await expect(field).toHaveAttribute("readonly", "");
  const password = await field.inputValue();
  expect(password).toMatch(/^[A-HJ-NP-Za-km-z2-9]{20}$/);
  await shown.getByRole("button", { name: "Copy" }).click();
  await expect(shown.getByRole("button", { name: "Copied" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(password);
  await shown.getByRole("button", { name: "Done" }).click();
  await expect(shown).toBeHidden();

  // closed, the password is gone: opening the dialog again asks first
  await members.getByRole("button", { name: `Reset password of ${email}` }).click();
  await expect(confirm).toBeVisible();
  await expect(page.getByText(password)).toHaveCount(0);
  await expect(confirm.getByLabel("New password")).toHaveCount(0);
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();

  // Rita's session ended; her old password no longer works, the new one does
  await ritaPage.goto("/settings");
  await expect(ritaPage).toHaveURL(/\/signin/);
  await signIn(ritaPage, email, own);
  await expect(ritaPage.getByText("Email or password is incorrect")).toBeVisible();
  await rita.close();

  const fresh = await browser.newContext({ baseURL });
  const freshPage = await fresh.newPage();
  await signIn(freshPage, email, password);
  await expect(freshPage).not.toHaveURL(/\/signin/);
  await freshPage.goto("/settings");
  await expect(freshPage.getByRole("banner").getByTestId("current-role")).toHaveText("Viewer");
  await expect(freshPage.getByRole("heading", { name: "Your account" })).toBeVisible();
  await fresh.close();

  // on the record: by the admin, naming Rita, never the password
  await page.goto("/audit");
  const entries = page.getByRole("table", { name: "Audit entries" });
  await expect(
    entries.getByRole("row").filter({ hasText: `${admin.email} reset the password of ${email} (1 session ended)` }),
  ).toBeVisible();
  await expect(page.getByText(password)).toHaveCount(0);

  // a refusal shows in the dialog, in plain words: Rita was removed in another tab meanwhile
  await page.goto("/settings");
  await expect(members.getByRole("cell", { name: email, exact: true })).toBeVisible();
  const other = await browser.newContext({ baseURL });
  const otherPage = await other.newPage();
  await signedInAs(otherPage, "admin", { next: "/settings" });
  const remove = otherPage.getByRole("dialog", { name: "Remove member?" });
  await expect(async () => {
    await otherPage.getByRole("button", { name: `Remove ${email}` }).click();
    await expect(remove).toBeVisible({ timeout: 1000 });
  }).toPass();
  await remove.getByRole("button", { name: "Remove" }).click();
  await expect(otherPage.getByRole("cell", { name: email, exact: true })).toHaveCount(0);
  await other.close();

  await members.getByRole("button", { name: `Reset password of ${email}` }).click();
  await confirm.getByRole("button", { name: "Reset password" }).click();
  await expect(confirm.getByRole("alert")).toHaveText("This person is not a member of this workspace.");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(confirm).toBeHidden();
});
