// Sign-in helpers for Playwright specs. The e2e server (playwright.config.ts) starts on a fresh
// embedded database whose seed writes the generated passwords to <E2E_DATA_DIR>/first-run.json.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { expect, type Page } from "@playwright/test";

export type E2ERole = "admin" | "editor" | "approver" | "viewer";
export type FirstRunUser = { email: string; role: E2ERole; password: string };

export function e2eDataDir(): string {
  return resolve(process.env.E2E_DATA_DIR ?? "test-results/e2e-data");
}

export function firstRunUsers(): FirstRunUser[] {
  const file = join(e2eDataDir(), "first-run.json");
  const parsed = JSON.parse(readFileSync(file, "utf8")) as { users: FirstRunUser[] };
  return parsed.users;
}

export function userFor(role: E2ERole): FirstRunUser {
  const user = firstRunUsers().find((u) => u.role === role);
  if (!user) throw new Error(`No ${role} in first-run.json`);
  return user;
}

/** Fills the /signin form by its labels and waits until the app has signed the user in. */
export async function signInAs(page: Page, role: E2ERole, options: { next?: string } = {}): Promise<FirstRunUser> {
  const user = userFor(role);
  await page.goto(options.next ? `/signin?callbackUrl=${encodeURIComponent(options.next)}` : "/signin");
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/signin/);
  return user;
}

/** Clicks "Sign out" (again, if the first click landed before hydration) until /signin shows. */
export async function signOut(page: Page): Promise<void> {
  await expect(async () => {
    if (!new URL(page.url()).pathname.startsWith("/signin")) {
      await page.getByRole("button", { name: "Sign out" }).click({ timeout: 2000 });
    }
    await expect(page).toHaveURL(/\/signin/, { timeout: 3000 });
  }).toPass({ timeout: 20_000 });
}
