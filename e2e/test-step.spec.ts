// "Test this step" and pinned data, as a person uses them: by roles, labels and visible text.
import { readFileSync } from "node:fs";
import { expect, test } from "@playwright/test";
import { signedInAs } from "./support/auth";

const workflowJson = readFileSync(new URL("./fixtures/workflows/test-step.json", import.meta.url), "utf8");

test("an editor tests one step with a sample input, pins its output, and tests the next step with it", async ({
  page,
}) => {
  await signedInAs(page, "editor", { next: "/workflows" });
  await page.getByRole("button", { name: "Import JSON" }).click();
  const dialog = page.getByRole("dialog", { name: "Import a workflow" });
  await dialog.getByLabel("Workflow JSON").fill(workflowJson);
  await dialog.getByRole("button", { name: "Import" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  const editorUrl = page.url();

  await page.getByRole("article", { name: /^Double, / }).click();
  const double = page.getByRole("region", { name: "Settings for Double" });
  await double.getByText("Test this step").click();
  await double.getByLabel("A sample input").check();
  await double.getByLabel("Quantity").fill("4");
  await double.getByRole("button", { name: "Test step" }).click();
  const outcome = double.getByRole("status").filter({ hasText: "Succeeded" });
  await expect(outcome).toBeVisible({ timeout: 20_000 });
  await expect(outcome).toContainText("8");
  await outcome.getByRole("button", { name: "Pin this output" }).click();
  await expect(double.getByText("Pinned sample output")).toBeVisible();

  // the next step reads the pinned 8 without Double running again: 8 × 5
  await page.getByRole("article", { name: /^Price, / }).click();
  const price = page.getByRole("region", { name: "Settings for Price" });
  await price.getByText("Test this step").click();
  await price.getByLabel("A sample input").check();
  await price.getByLabel("Quantity").fill("1");
  await price.getByRole("button", { name: "Test step" }).click();
  await expect(price.getByRole("status").filter({ hasText: "Succeeded" })).toContainText("40", { timeout: 20_000 });
  await page.screenshot({ path: "test-results/test-step.png", fullPage: true });
  await expect(page.getByRole("status").filter({ hasText: "All changes saved" })).toBeVisible({ timeout: 15_000 });

  // a viewer reads the same settings, disabled, with no test and no delete
  await page.context().clearCookies();
  await signedInAs(page, "viewer", { next: editorUrl });
  await page.getByRole("article", { name: /^Price, / }).click();
  const readOnly = page.getByRole("region", { name: "Settings for Price" });
  await expect(readOnly.getByLabel("Step name")).toBeDisabled();
  await expect(readOnly.getByText("Test this step")).toHaveCount(0);
  await expect(readOnly.getByRole("button", { name: "Delete this step" })).toHaveCount(0);
});
