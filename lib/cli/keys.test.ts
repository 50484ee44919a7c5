// `switchboard keys create` and `switchboard workflows import` in-process on a fresh SQLite file:
// the key is printed once and works with its scopes only; bad flags store nothing (exit 2); an
// imported workflow with a webhook trigger, published, prints its production URL.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { keyAllowsScope } from "../auth/scopes";
import { authenticateApiKey } from "../db/api-keys";
import { freshSqliteCli } from "./testing";

// Every test gets a fresh database.
const sqlite = freshSqliteCli("switchboard-keys-cli-");
const { cli } = sqlite;

const webhookDoc = {
  format: "switchboard.workflow/v1",
  name: "Inbound orders",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "webhook" } },
    { id: "done", type: "end", config: {} },
  ],
  edges: [{ source: "start", target: "done" }],
};

describe("switchboard keys create / workflows import", () => {
  it("creates a scoped, expiring key, prints it once, and refuses unknown scopes", async () => {
    const made = await cli(
      "keys",
      "create",
      "--name",
      "ci",
      "--scopes",
      "runs:read,runs:write",
      "--expires",
      "30",
      "--json",
    );
    expect(made.code, made.stderr).toBe(0);
    const out = made.json() as { key: string; scopes: string[]; role: string; expiresAt: string };
    expect(out.key).toMatch(/^sb_/);
    expect(out).toMatchObject({ scopes: ["runs:read", "runs:write"], role: "editor" });
    expect(Date.parse(out.expiresAt) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    const check = await sqlite.db();
    const key = await authenticateApiKey(check, out.key);
    expect(key && keyAllowsScope(key, "runs:write")).toBe(true);
    expect(key && keyAllowsScope(key, "workflows:write")).toBe(false);
    const text = await cli("keys", "create", "--name", "ops", "--scopes", "admin", "--role", "admin");
    expect(text.code).toBe(0);
    expect(text.stdout.split("\n")[0]).toMatch(/^sb_/);
    const bad = await cli("keys", "create", "--name", "x", "--scopes", "runs:read,everything");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("everything");
    const badRole = await cli("keys", "create", "--name", "x", "--scopes", "admin", "--role", "owner");
    expect(badRole.code).toBe(2);
    expect(await check.prisma.apiKey.count()).toBe(2);
  });

  it("imports a workflow; with --publish and a webhook trigger it prints the production URL", async () => {
    const file = join(sqlite.dir, "orders.json");
    writeFileSync(file, JSON.stringify(webhookDoc));
    const draft = await cli("workflows", "import", file, "--json");
    expect(draft.code, draft.stderr).toBe(0);
    expect(draft.json()).toMatchObject({ name: "Inbound orders", version: null, webhookUrl: null });
    const published = await cli("workflows", "import", file, "--publish", "--json");
    expect(published.code, published.stderr).toBe(0);
    const body = published.json() as { id: string; version: number; webhookUrl: string };
    expect(body.version).toBe(1);
    expect(body.webhookUrl).toMatch(new RegExp(`/api/hooks/${body.id}\\.[A-Za-z0-9_-]{20,}$`));
    const text = await cli("workflows", "import", file, "--publish");
    expect(text.code).toBe(0);
    const [id, url] = text.stdout.trim().split("\n");
    expect(id).toMatch(/\S/);
    expect(url).toContain("/api/hooks/");
    writeFileSync(file, JSON.stringify({ ...webhookDoc, nodes: "nope" }));
    const invalid = await cli("workflows", "import", file);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain("nodes");
  });
});
