// Settings → Models, Credentials and Network egress, end to end: an admin allows the fake
// provider's host (a loopback address), adds an OpenAI-compatible provider pointing at it with a
// key, tests the connection, prices a model and creates a credential; a workflow then sends the
// credential and reads back what the fake provider recorded (holding both secrets as sent). No
// page — a viewer's nor the admin's, HTML included — and no byte of the database holds either.
// The fake provider runs in this test process on 127.0.0.1 (tests/fake-provider).
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { expect, type Page, test } from "@playwright/test";
import { type FakeProvider, startFakeProvider } from "../tests/fake-provider/server";
import { e2eDataDir, signedInAs, signInAs, signOut } from "./support/auth";

const KEY = "sk-e2e-provider-KEY-4f1c9a2b7d";
const CRM = "crm-e2e-credential-VALUE-8e3d";
const LITERAL = "literal-e2e-header-SECRET-5a7b";
/** Stored values: never in a page or a byte of the database. LITERAL is typed into a node's header
 * (the checklist says "move this into a credential"): it is in the workflow document, masked for
 * people who cannot edit it. */
const STORED = [KEY, CRM];

let fake: FakeProvider;
test.beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: KEY });
});
test.afterAll(async () => {
  await fake?.stop();
});
test.describe.configure({ mode: "serial" });

/** The page's HTML as the server sent it and as the browser holds it now: no secret in either. */
async function expectNoSecret(page: Page, path: string, secrets: string[] = STORED) {
  const response = await page.goto(path);
  const served = (await response?.text()) ?? "";
  const live = await page.content();
  for (const s of secrets) {
    expect(served, `${path} (served HTML)`).not.toContain(s);
    expect(live, `${path} (DOM)`).not.toContain(s);
  }
  return response?.status() ?? 0;
}

const shots = (name: string) => join("test-results", "screenshots", `models-${name}.png`);

test("an admin allows the provider's host, adds an OpenAI-compatible provider, tests it and prices a model", async ({
  page,
}) => {
  const hostPort = new URL(fake.url).host;
  await signedInAs(page, "admin", { next: "/settings" });
  await page.getByRole("link", { name: "Network egress" }).click();
  await expect(page).toHaveURL(/\/settings\/egress/);
  await page.getByLabel("Host", { exact: true }).fill(hostPort);
  await page.getByRole("button", { name: "Allow host" }).click();
  await expect(page.getByRole("table", { name: "Allowed private hosts" }).getByText(hostPort)).toBeVisible();
  await page.screenshot({ path: shots("egress"), fullPage: true });

  await page.getByRole("link", { name: "Models" }).click();
  await expect(page).toHaveURL(/\/settings\/models/);
  await page.getByRole("button", { name: "Add provider" }).click();
  const dialog = page.getByRole("dialog", { name: "Add model provider" });
  await dialog.getByLabel("Kind", { exact: true }).selectOption("openai-compatible");
  await dialog.getByLabel("Name", { exact: true }).fill("local");
  await dialog.getByLabel("Base URL", { exact: true }).fill(fake.baseUrls.openaiCompatible);
  await expect(dialog.getByLabel("API key", { exact: true })).toHaveAttribute("type", "password");
  await dialog.getByLabel("API key", { exact: true }).fill(KEY);
  await page.screenshot({ path: shots("add-provider"), fullPage: true });
  await dialog.getByRole("button", { name: "Add provider" }).click();
  await expect(dialog).toBeHidden();

  const provider = page.getByRole("article", { name: "local" });
  await expect(provider).toBeVisible();
  await expect(provider.getByText("set · never used")).toBeVisible();
  await provider.getByRole("button", { name: "Test connection to local" }).click();
  await expect(provider.getByRole("status", { name: "Connection test of local" })).toHaveText(
    /Connected in \d+ ms · \d+ models listed/,
  );
  await expect(provider.getByText(/set · last used/)).toBeVisible();

  await provider.getByRole("button", { name: "Edit price of local:fake-ok" }).click();
  const price = page.getByRole("dialog", { name: "Price of local:fake-ok" });
  await price.getByLabel("Input price (USD per 1M tokens)", { exact: true }).fill("3");
  await price.getByLabel("Output price (USD per 1M tokens)", { exact: true }).fill("15");
  await price.getByRole("button", { name: "Save price" }).click();
  await expect(price).toBeHidden();
  const row = provider.getByRole("row").filter({ hasText: "local:fake-ok" });
  await expect(row).toContainText("$3");
  await expect(row).toContainText("$15");
  await expect(row).toContainText("yours");
  await page.screenshot({ path: shots("models"), fullPage: true });

  // a credential for the workflow below
  await page.getByRole("link", { name: "Credentials" }).click();
  await page.getByRole("button", { name: "Create credential" }).click();
  const cred = page.getByRole("dialog", { name: "Create credential" });
  await cred.getByLabel("Name", { exact: true }).fill("crm");
  await cred.getByLabel("Kind", { exact: true }).selectOption("bearer");
  await expect(cred.getByLabel("Value", { exact: true })).toHaveAttribute("type", "password");
  await cred.getByLabel("Value", { exact: true }).fill(CRM);
  await cred.getByRole("button", { name: "Create credential" }).click();
  await expect(cred).toBeHidden();
  const credRow = page.getByRole("table", { name: "Credentials" }).getByRole("row").filter({ hasText: "crm" });
  await expect(credRow).toContainText("set · never used");
  await expect(
    page.getByRole("table", { name: "Credentials" }).getByRole("row").filter({ hasText: "provider-local" }),
  ).toContainText("model provider local");
  await page.screenshot({ path: shots("credentials"), fullPage: true });

  for (const path of ["/settings", "/settings/models", "/settings/credentials", "/settings/egress", "/audit"])
    expect(await expectNoSecret(page, path)).toBe(200);
});

test("a run that sends the credential and reads back what was sent stores no secret; a viewer's pages hold none", async ({
  page,
}) => {
  // asynchronously: the fake provider answers from this process's event loop
  const { stdout: out } = await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", resolve("e2e/support/models-seed.ts"), fake.url, LITERAL],
    { env: { ...process.env, SWITCHBOARD_DATA_DIR: e2eDataDir(), DATABASE_URL: "" }, encoding: "utf8" },
  );
  const seeded = JSON.parse(out.trim().split("\n").at(-1)!) as {
    runId: string;
    workflowId: string;
    status: string;
    error: unknown;
  };
  expect(seeded.status, JSON.stringify(seeded.error)).toBe("succeeded");
  // the fake provider did get both secrets (so the run really had them to leak)
  expect(JSON.stringify(fake.requests)).toContain(KEY);
  expect(JSON.stringify(fake.requests)).toContain(CRM);

  await signInAs(page, "admin", { next: `/runs/${seeded.runId}` });
  expect(await expectNoSecret(page, `/runs/${seeded.runId}`)).toBe(200);
  expect(await page.content()).toContain("[redacted]");
  await page.screenshot({ path: shots("run"), fullPage: true });
  // the editor's checklist warns about the secret typed into a header (an admin can edit)
  await page.goto(`/workflows/${seeded.workflowId}`);
  await page.getByRole("tab", { name: /Checklist/ }).click();
  await expect(page.getByRole("region", { name: "Warnings" })).toContainText(
    'The header "X-Api-Key" holds a literal secret: move this into a credential.',
  );
  await page.screenshot({ path: shots("checklist"), fullPage: true });
  await signOut(page);

  await signedInAs(page, "viewer");
  expect(await expectNoSecret(page, "/settings/models")).toBe(404);
  expect(await expectNoSecret(page, "/settings/credentials")).toBe(404);
  expect(await expectNoSecret(page, "/settings/egress")).toBe(404);
  expect(await expectNoSecret(page, "/settings")).toBe(200);
  await expect(page.getByRole("link", { name: "Models" })).toHaveCount(0);
  for (const path of ["/", "/workflows", "/runs", `/runs/${seeded.runId}`])
    expect(await expectNoSecret(page, path)).toBe(200);
  // the editor, read-only for a viewer: the typed-in secret is masked too
  expect(await expectNoSecret(page, `/workflows/${seeded.workflowId}`, [...STORED, LITERAL])).toBe(200);
  await page.screenshot({ path: shots("viewer-workflow"), fullPage: true });

  // and no byte of the database file (nor its WAL) holds a secret in clear
  const dir = e2eDataDir();
  const bytes = ["switchboard.db", "switchboard.db-wal"]
    .map((f) => join(dir, f))
    .filter(existsSync)
    .map((f) => readFileSync(f).toString("latin1"))
    .join("");
  expect(bytes.length).toBeGreaterThan(0);
  for (const s of STORED) expect(bytes).not.toContain(s);
});
