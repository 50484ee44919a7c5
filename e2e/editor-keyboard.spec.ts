// The editor shell as a person uses it: connecting steps with the keyboard, where focus goes
// after Delete, palette words, a tablet-portrait window, and the app pages around the editor
// (the workflows list hydrates cleanly, titles, an approver's landing page).
import { expect, type Page, test } from "@playwright/test";
import { signedInAs, signInAs } from "./support/auth";

const unique = (name: string) => `${name} ${Date.now().toString(36)}`;

async function createBlank(page: Page, name: string) {
  await page.goto("/workflows");
  await page.getByRole("button", { name: "New workflow" }).click();
  const dialog = page.getByRole("dialog", { name: "New workflow" });
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("button", { name: "Create blank" }).click();
  await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
  await expect(page.getByRole("toolbar", { name: "Editor toolbar" })).toBeVisible();
  await expect(page.getByRole("article", { name: /step$/ }).first()).toBeVisible();
}

const step = (page: Page, name: string) => page.getByRole("article", { name: `${name}, ` });
const palette = (page: Page) => page.getByRole("region", { name: "Add a step" });

/** No two steps on the canvas overlap. */
async function overlaps(page: Page): Promise<number> {
  return page.evaluate(() => {
    const boxes = [...document.querySelectorAll(".react-flow__node")].map((n) => n.getBoundingClientRect());
    let hits = 0;
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i];
        const b = boxes[j];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits++;
      }
    return hits;
  });
}

test.beforeAll(async ({ request }) => {
  await request.get("/signin");
});

test.describe("as an editor", () => {
  test.beforeEach(async ({ page }) => {
    await signedInAs(page, "editor", { next: "/workflows" });
  });

  test("adds steps by the words people type, connects two existing steps and deletes one without a mouse", async ({
    page,
  }) => {
    await createBlank(page, unique("Keyboard connect"));
    // "llm" finds the Agent; Enter adds the best match after the selected Start step
    await step(page, "Start").click();
    await page.keyboard.press("n");
    const search = page.getByLabel("Filter step types");
    await expect(search).toBeFocused();
    await search.fill("llm");
    await expect(
      palette(page)
        .getByRole("button", { name: /^Add .+: / })
        .first(),
    ).toHaveAccessibleName(/^Add Agent:/);
    await search.press("Enter");
    await expect(step(page, "Agent")).toBeVisible();

    // nothing selected: "finish" adds an End step in free space, unconnected, on top of nothing
    await page.locator(".react-flow__pane").click({ position: { x: 20, y: 20 } });
    await page.keyboard.press("Escape");
    await page.keyboard.press("n");
    await search.fill("finish");
    await search.press("Enter");
    await expect(step(page, "End")).toBeVisible();
    await expect(page.locator(".react-flow__edge")).toHaveCount(1);
    expect(await overlaps(page)).toBe(0);

    // find the agent (Ctrl+F), which takes the keyboard; C opens "Connect to…"
    await page.keyboard.press("Control+f");
    await expect(page.getByLabel("Find a step")).toBeFocused();
    await page.keyboard.type("Agent");
    await page.keyboard.press("Enter");
    await expect(page.locator('.react-flow__node[data-id="agent_1"]')).toBeFocused();
    await page.keyboard.press("c");
    const dialog = page.getByRole("dialog", { name: "Connect “Agent” to…" });
    await expect(dialog).toBeVisible();
    await page.keyboard.type("end");
    await expect(dialog.getByRole("option")).toHaveCount(1);
    await page.keyboard.press("Enter");
    await expect(dialog).toBeHidden();
    await expect(page.getByRole("status").filter({ hasText: "Connected “Agent” to “End”." })).toBeVisible();
    await expect(page.locator(".react-flow__edge")).toHaveCount(2);
    await expect(page.getByRole("tab", { name: "Checklist ✓" })).toBeVisible();

    // Delete removes the focused agent; focus lands on the step before it, not on the page
    await expect(page.locator('.react-flow__node[data-id="agent_1"]')).toBeFocused();
    await page.keyboard.press("Delete");
    await expect(step(page, "Agent")).toHaveCount(0);
    await expect(page.locator('.react-flow__node[data-id="start"]')).toBeFocused();
    // and the keyboard keeps working from there: F fits the view, Ctrl+Z brings the agent back
    await page.keyboard.press("f");
    await page.keyboard.press("Control+z");
    await expect(step(page, "Agent")).toBeVisible();
    await page.screenshot({ path: "test-results/editor-keyboard.png" });
  });

  test("palette search knows if, code, webhook and approve", async ({ page }) => {
    await createBlank(page, unique("Palette words"));
    const search = page.getByLabel("Filter step types");
    const first = palette(page)
      .getByRole("button", { name: /^Add .+: / })
      .first();
    for (const [word, label] of [
      ["if", "Condition"],
      ["code", "Transform"],
      ["approve", "Approval"],
      ["gpt", "Agent"],
    ] as const) {
      await search.fill(word);
      await expect(first).toHaveAccessibleName(new RegExp(`^Add ${label}:`));
    }
  });

  test("at 820×1180 the editor fits the window, the minimap is out of the way and panels collapse", async ({
    page,
  }) => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.goto("/workflows");
    await page.getByRole("button", { name: "New workflow" }).click();
    await page
      .getByRole("button", { name: /^Use template / })
      .first()
      .click();
    await expect(page).toHaveURL(/\/workflows\/[^/]+$/);
    await expect(page.getByRole("article", { name: /step$/ }).first()).toBeVisible();
    const size = await page.evaluate(() => ({
      scrollW: document.documentElement.scrollWidth,
      scrollH: document.documentElement.scrollHeight,
      w: window.innerWidth,
      h: window.innerHeight,
      zoom: Number(
        /scale\(([\d.]+)\)/.exec(
          document.querySelector<HTMLElement>(".react-flow__viewport")?.style.transform ?? "",
        )?.[1] ?? 0,
      ),
    }));
    expect(size.scrollW).toBeLessThanOrEqual(size.w);
    expect(size.scrollH).toBeLessThanOrEqual(size.h);
    // a template opens at a readable zoom
    expect(size.zoom).toBeGreaterThanOrEqual(0.6);
    await expect(page.locator(".react-flow__minimap")).toHaveCount(0);
    // the palette starts collapsed on a narrow window; the side panel can be hidden too
    const steps = page.getByRole("button", { name: "Steps" });
    await expect(steps).toHaveAttribute("aria-expanded", "false");
    const canvas = page.getByRole("region", { name: "Canvas" });
    const before = (await canvas.boundingBox())!.width;
    await page.getByRole("button", { name: "Hide panel" }).click();
    await expect(page.getByRole("tablist", { name: "Side panel" })).toHaveCount(0);
    expect((await canvas.boundingBox())!.width).toBeGreaterThan(before + 200);
    await steps.click();
    await expect(page.getByLabel("Filter step types")).toBeVisible();
    await page.screenshot({ path: "test-results/editor-820.png" });
  });

  test("the workflows list hydrates without errors when the browser's clock is minutes off the server's", async ({
    page,
  }) => {
    await createBlank(page, unique("Hydration"));
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    // a relative time rendered on the server and again in the browser a minute later disagreed (#418)
    await page.clock.setSystemTime(new Date(Date.now() + 7 * 60_000));
    await page.goto("/workflows");
    await expect(page.getByRole("list", { name: "Workflows" }).locator("time").first()).toHaveText(/min ago/);
    expect(errors.filter((e) => /418|hydrat/i.test(e))).toEqual([]);
    expect(await page.title()).toBe("Workflows · Switchboard");
  });
});

test("an approver signs in and lands on the Inbox", async ({ page }) => {
  await signInAs(page, "approver");
  await expect(page).toHaveURL(/\/inbox$/);
  expect(await page.title()).toBe("Inbox · Switchboard");
});

test("the settings tab bar reaches Budgets and MCP servers", async ({ page }) => {
  await signedInAs(page, "admin", { next: "/settings" });
  const nav = page.getByRole("navigation", { name: "Settings sections" });
  await nav.getByRole("link", { name: "Budgets" }).click();
  await expect(page).toHaveURL(/\/settings\/budgets$/);
  await expect(page.getByRole("heading", { name: "Budgets" })).toBeVisible();
  await nav.getByRole("link", { name: "MCP servers" }).click();
  await expect(page).toHaveURL(/\/settings\/mcp$/);
});
