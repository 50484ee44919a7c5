// Sessions end on the server (issue 14): a copy of the session cookie taken before signing out
// no longer works afterwards — not for pages, not for the API — instead of for the JWT's 7 days.
import { expect, test } from "@playwright/test";
import { signInAs, signOut } from "./support/auth";

test("after signing out, the old session cookie is refused", async ({ page, browser, baseURL }) => {
  await signInAs(page, "viewer", { next: "/workflows" });
  const stolen = await page.context().cookies();
  expect(stolen.some((c) => c.name.includes("next-auth.session-token"))).toBe(true);

  // The copy works while the session is open…
  const thief = await browser.newContext({ baseURL });
  await thief.addCookies(stolen);
  const before = await thief.request.get("/api/v1/runs");
  expect(before.status()).toBe(200);

  // …and not once its owner signed out.
  await signOut(page);
  const after = await thief.request.get("/api/v1/runs");
  expect(after.status()).toBe(401);
  const thiefPage = await thief.newPage();
  await thiefPage.goto("/workflows");
  await expect(thiefPage).toHaveURL(/\/signin/);
  await thief.close();
});
