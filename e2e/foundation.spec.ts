// Foundation: sign-in with the first-run credentials, roles in the shell, the audit trail,
// settings, sign-out. Runs against `node bin/start.mjs --fresh` (a fresh, seeded database).
import { expect, type Page, test } from "@playwright/test";
import { type E2ERole, signInAs, signOut, userFor } from "./support/auth";

const ROLE_LABEL: Record<E2ERole, string> = {
  admin: "Admin",
  editor: "Editor",
  approver: "Approver",
  viewer: "Viewer",
};

/** Console errors and uncaught exceptions on the page from now on. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    // "Failed to load resource" names no URL; the response listener below does.
    if (msg.type() === "error") errors.push(`${msg.text()} ${msg.location().url ?? ""}`.trim());
  });
  page.on("response", (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

test("a fresh start serves the sign-in page with labelled fields", async ({ page }) => {
  const errors = collectErrors(page);
  await page.goto("/signin");
  await expect(page.getByRole("heading", { name: "Sign in to your workspace" })).toBeVisible();
  await expect(page.getByLabel("Email")).toBeVisible();
  await expect(page.getByLabel("Password")).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("an anonymous visitor is sent to sign-in", async ({ page }) => {
  for (const path of ["/settings", "/audit", "/workflows", "/"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/signin/);
  }
});

test("a wrong password or unknown email says so without saying which", async ({ page }) => {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(userFor("viewer").email);
  await page.getByLabel("Password").fill("definitely-not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
  await expect(page).toHaveURL(/\/signin/);

  await page.getByLabel("Email").fill("nobody@acme.test");
  await page.getByLabel("Password").fill(userFor("viewer").password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Email or password is incorrect" })).toBeVisible();
});

for (const role of ["admin", "editor", "approver", "viewer"] as const) {
  test(`${role} signs in with the first-run password and sees what the role allows`, async ({ page }) => {
    const user = await signInAs(page, role, { next: "/settings" });
    await expect(page).toHaveURL(/\/settings/);
    const errors = collectErrors(page);
    await page.reload();
    const header = page.getByRole("banner");
    await expect(header.getByTestId("current-role")).toHaveText(ROLE_LABEL[role]);
    await expect(header.getByText(user.email)).toBeAttached();
    const nav = page.getByRole("navigation", { name: "Main" });
    for (const name of ["Workflows", "Runs", "Dashboard", "Settings"]) {
      await expect(nav.getByRole("link", { name, exact: true })).toBeVisible();
    }
    await expect(nav.getByRole("link", { name: /^Inbox/ })).toBeVisible();
    const audit = nav.getByRole("link", { name: "Audit" });
    const addMember = page.getByRole("button", { name: "Invite member" });
    if (role === "admin") {
      await expect(audit).toBeVisible();
      await expect(addMember).toBeVisible();
      await expect(page.getByLabel("Workspace name")).toBeEditable();
    } else {
      await expect(audit).toHaveCount(0);
      await expect(addMember).toHaveCount(0);
      await expect(page.getByLabel("Workspace name")).toHaveCount(0);
      await page.goto("/audit");
      await expect(page.getByRole("heading", { name: "You don't have access" })).toBeVisible();
    }
    expect(errors).toEqual([]);
  });
}

test("the audit trail shows the sign-in and an admin's member change; filters work", async ({ page }) => {
  await signInAs(page, "admin", { next: "/settings" });
  const errors = collectErrors(page);

  const dialog = page.getByRole("dialog", { name: "Invite member" });
  // A click that lands before hydration does nothing: retry until the dialog is open.
  await expect(async () => {
    await page.getByRole("button", { name: "Invite member" }).click();
    await expect(dialog).toBeVisible({ timeout: 1000 });
  }).toPass();
  await dialog.getByLabel("Email").fill("not-an-email");
  await dialog.getByRole("button", { name: "Invite" }).click();
  await expect(dialog.getByText("Enter a valid email address")).toBeVisible();
  await dialog.getByLabel("Email").fill("nina@acme.test");
  await dialog.getByRole("button", { name: "Invite" }).click();
  const done = page.getByRole("dialog", { name: "Invitation created" });
  const link = (await done.getByTestId("invite-link").textContent())?.trim() ?? "";
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await done.getByRole("button", { name: "Done" }).click();
  await expect(
    page.getByRole("table", { name: "Open invitations" }).getByRole("cell", { name: "nina@acme.test", exact: true }),
  ).toBeVisible();

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page).toHaveURL(/\/audit/);
  const table = page.getByRole("table", { name: "Audit entries" });
  await expect(table.getByRole("row").filter({ hasText: "admin@acme.test signed in" }).first()).toBeVisible();
  await expect(table.getByRole("row").filter({ hasText: "Invited nina@acme.test as viewer" })).toBeVisible();

  await page.getByLabel("Action").selectOption("member.invited");
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(/action=member.invited/);
  await expect(table.getByRole("row")).toHaveCount(2); // header + one entry
  expect(errors).toEqual([]);

  // the invitee (a new person) opens the link signed out, sets a name and password, and signs in
  await signOut(page);
  await page.goto(new URL(link).pathname);
  await page.getByLabel("Your name").fill("Nina New");
  await page.getByLabel("Choose a password").fill("ninas own password");
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page.getByText("Your account is ready")).toBeVisible();
  await page.goto("/signin");
  await page.getByLabel("Email").fill("nina@acme.test");
  await page.getByLabel("Password").fill("ninas own password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/signin/);
  await page.goto("/settings");
  await expect(page.getByRole("banner").getByTestId("current-role")).toHaveText("Viewer");
  // the link worked once
  await page.goto(new URL(link).pathname);
  await expect(page.getByRole("heading", { name: "Invitation not usable" })).toBeVisible();
});

test("the skip link is the first stop of the keyboard and lands on the content", async ({ page }) => {
  await signInAs(page, "editor", { next: "/settings" });
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator("main#main")).toBeFocused();
});

test("the shell works at tablet width", async ({ page }) => {
  await page.setViewportSize({ width: 768, height: 1024 });
  await signInAs(page, "approver", { next: "/settings" });
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const name of ["Workflows", "Runs", "Dashboard", "Settings"]) {
    await expect(nav.getByRole("link", { name, exact: true })).toBeInViewport();
  }
  await expect(page.getByRole("button", { name: "Sign out" })).toBeInViewport();
});

test("sign-out ends the session", async ({ page }) => {
  await signInAs(page, "viewer", { next: "/settings" });
  await signOut(page);
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/signin/);
});
