// Sign-in helpers for Playwright specs. The e2e server (playwright.config.ts) starts on a fresh
// embedded database whose seed writes the generated passwords to <E2E_DATA_DIR>/first-run.json.
// e2e/auth.setup.ts (the "setup" project every spec depends on) signs each role in once through
// the form and stores its browser state; specs whose subject is not signing in start from it
// (signedInAs). Specs about signing in, and any test that signs out (which revokes the session),
// sign in through the form themselves (signInAs).
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type BrowserContext, expect, type Page } from "@playwright/test";

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

/** The stored browser state of `role`'s session, written by e2e/auth.setup.ts. It lives in the
 * server's data dir, which `--fresh` wipes, so it never outlives the database it belongs to. */
export function storageStatePath(role: E2ERole): string {
  return join(e2eDataDir(), "e2e-auth", `${role}.json`);
}

type StoredCookie = Parameters<BrowserContext["addCookies"]>[0][number];

/**
 * Opens `next` (default "/": the role's landing page) signed in as `role` with the session
 * e2e/auth.setup.ts signed in through the form. Never sign out of it (signOut revokes the session
 * every later spec shares): a test that signs out uses signInAs.
 */
export async function signedInAs(page: Page, role: E2ERole, options: { next?: string } = {}): Promise<FirstRunUser> {
  const state = JSON.parse(readFileSync(storageStatePath(role), "utf8")) as { cookies: StoredCookie[] };
  await page.context().addCookies(state.cookies);
  await page.goto(options.next ?? "/");
  await expect(page).not.toHaveURL(/\/signin/);
  return userFor(role);
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
