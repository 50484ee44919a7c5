// Security headers as the browser receives them (next.config.js; docs/security.md), and a page
// that still works under its Content-Security-Policy.
import { expect, test } from "@playwright/test";

test("the sign-in page is served with the security headers and works under its CSP", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) violations.push(msg.text());
  });
  const response = await page.goto("/signin");
  const headers = response?.headers() ?? {};
  expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(headers["x-frame-options"]).toBe("DENY");
  expect(headers["x-content-type-options"]).toBe("nosniff");
  expect(headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"]).toContain("camera=()");
  // Plain HTTP on localhost: no HSTS.
  expect(headers["strict-transport-security"]).toBeUndefined();
  await expect(page.getByRole("heading", { name: "Sign in to your workspace" })).toBeVisible();
  await expect(page.getByLabel("Email")).toBeEditable();
  expect(violations).toEqual([]);
});

test("API responses carry the headers too", async ({ request }) => {
  const response = await request.get("/api/v1/runs");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
});
