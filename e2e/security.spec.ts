// Security headers as the browser receives them (next.config.js; docs/security.md), and a page
// that still works under its Content-Security-Policy; the real client's address in the audit log
// (a forged X-Forwarded-For ignored) and the 413 for an oversized server action, on the built
// server started by bin/start.mjs.
import { request as httpRequest } from "node:http";
import { expect, test } from "@playwright/test";
import { signInAs, userFor } from "./support/auth";

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

test("a forged X-Forwarded-For does not choose the address the audit log records", async ({ browser, page }) => {
  // bin/start.mjs preloads bin/peer-address.cjs: the socket's address wins over the client's headers
  const attacker = await browser.newContext();
  const forged = await attacker.newPage();
  await forged.setExtraHTTPHeaders({ "x-forwarded-for": "6.6.6.6", "x-real-ip": "6.6.6.7" });
  const viewer = userFor("viewer");
  await forged.goto("/signin");
  await forged.getByLabel("Email").fill(viewer.email);
  await forged.getByLabel("Password").fill("not-the-password");
  await forged.getByRole("button", { name: "Sign in" }).click();
  await expect(forged.getByText("Email or password is incorrect")).toBeVisible();
  await attacker.close();

  await signInAs(page, "admin");
  await page.goto("/audit");
  await expect(page.getByText(`Failed sign-in for ${viewer.email} from 127.0.0.1`).first()).toBeVisible();
  await expect(page.getByText("6.6.6.6")).toHaveCount(0);
});

test("a server action declaring a body over 10 MiB is refused with 413 before it is read", async ({ baseURL }) => {
  const url = new URL(baseURL ?? "http://127.0.0.1:3107");
  const declared = 64 * 1024 * 1024;
  const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: "POST",
        path: "/workflows",
        headers: {
          "next-action": "0".repeat(42),
          "content-type": "text/plain;charset=UTF-8",
          "content-length": declared,
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => {
          body += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    // only 1 KiB of the declared 64 MiB is ever sent: the answer comes without the rest
    req.write("x".repeat(1024));
  });
  expect(answer.status).toBe(413);
  expect(JSON.parse(answer.body)).toMatchObject({ error: { code: "too_large" } });
});
