// The "setup" project (playwright.config.ts): signs each seeded role in once through the /signin
// form and stores the browser state, so specs whose subject is not signing in start signed in
// (signedInAs in e2e/support/auth.ts) instead of filling the form in every test.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { test as setup } from "@playwright/test";
import { type E2ERole, signInAs, storageStatePath } from "./support/auth";

setup.beforeAll(async ({ request }) => {
  // warm the server up (first requests after start are slow on a busy 2-core machine)
  await request.get("/signin");
});

for (const role of ["admin", "editor", "approver", "viewer"] as const satisfies readonly E2ERole[]) {
  setup(`${role} signs in through the form; the session is stored for the specs`, async ({ page }) => {
    try {
      await signInAs(page, role);
    } catch {
      // a cold or busy server can miss the first attempt; a person would simply try again
      await signInAs(page, role);
    }
    const path = storageStatePath(role);
    mkdirSync(dirname(path), { recursive: true });
    await page.context().storageState({ path });
  });
}
