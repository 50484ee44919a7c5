// `switchboard mcp …` in-process on a fresh SQLite file: registering a Streamable HTTP server
// (refused by the egress policy until private addresses are allowed) and a stdio server, listing
// tools, bad input that stores nothing, removal, and the audit trail.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type McpTestServer, startMcpTestServer } from "@/tests/mcp-server/server";
import { type Db, openDb } from "../db/client";
import type { DatabaseTarget } from "../env";
import { runCliInProcess } from "./testing";

process.env.SWITCHBOARD_SEED = "0";

let dir: string;
let target: DatabaseTarget;
let check: Db | null = null;
let server: McpTestServer;

beforeAll(async () => {
  server = await startMcpTestServer();
});
afterAll(() => server.close());
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "switchboard-mcp-cli-"));
  const file = join(dir, "cli.db");
  target = { provider: "sqlite", file, url: `file:${file}` };
});
afterEach(async () => {
  await check?.close();
  check = null;
  delete process.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK;
  rmSync(dir, { recursive: true, force: true });
});

// `target` is read at each call: every test gets a fresh database.
const cli = (...argv: string[]) => runCliInProcess(target, argv);

describe("switchboard mcp", () => {
  it("adds a Streamable HTTP server; the egress policy refuses loopback until private addresses are allowed", async () => {
    const refused = await cli("mcp", "add", "web", "--url", server.url);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/Added MCP server “web”/);
    expect(refused.stdout).toMatch(/could not be listed: .*private, loopback/);

    process.env.SWITCHBOARD_ALLOW_PRIVATE_NETWORK = "1";
    const tools = await cli("mcp", "tools", "web", "--json");
    expect(tools.code).toBe(0);
    const listed = tools.json() as { server: string; tools: { name: string; inputSchema: unknown }[] };
    expect(listed.server).toBe("web");
    expect(listed.tools.map((t) => t.name)).toContain("create_ticket");
    expect(listed.tools.find((t) => t.name === "echo")?.inputSchema).toMatchObject({
      properties: { text: { type: "string" } },
    });

    const text = await cli("mcp", "tools", "web");
    expect(text.stdout).toMatch(/^ {2}echo\(text\) — Returns the text it is given\.$/m);

    const list = await cli("mcp", "list", "--json");
    expect((list.json() as { servers: { name: string; target: string }[] }).servers).toEqual([
      expect.objectContaining({ name: "web", transport: "http", target: server.url }),
    ]);

    check = await openDb(target);
    const audit = await check.prisma.auditEntry.findMany({ where: { action: { startsWith: "mcpserver." } } });
    expect(audit.map((a) => a.action)).toEqual(["mcpserver.added"]);
    expect(audit[0]?.summary).toBe(`Added MCP server “web” (http: ${server.url})`);
  });

  it("adds a stdio server with its pinned command and arguments, marks approval tools, removes it", async () => {
    const added = await cli(
      "mcp",
      "add",
      "local",
      "--command",
      process.execPath,
      "--arg=--import",
      "--arg=tsx",
      "--arg=tests/mcp-server/server.ts",
      "--arg=--stdio",
      "--approval",
      "create_ticket",
      "--json",
    );
    expect(added.code).toBe(0);
    const server = (
      added.json() as { server: { target: string; tools: { name: string; requiresApproval: boolean }[] } }
    ).server;
    expect(server.target).toBe(`${process.execPath} --import tsx tests/mcp-server/server.ts --stdio`);
    expect(server.tools.find((t) => t.name === "create_ticket")?.requiresApproval).toBe(true);
    expect(server.tools.find((t) => t.name === "echo")?.requiresApproval).toBe(false);

    const removed = await cli("mcp", "remove", "local");
    expect(removed.code).toBe(0);
    expect((await cli("mcp", "list", "--json")).json()).toEqual({ servers: [] });
  }, 30_000);

  it("refuses bad input naming the field, and stores nothing", async () => {
    const both = await cli("mcp", "add", "x", "--url", server.url, "--command", "node");
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/either --url .* or --command/);
    const ftp = await cli("mcp", "add", "x", "--url", "ftp://files.example.com/mcp");
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toMatch(/url: must be an http\(s\) URL/);
    const badName = await cli("mcp", "add", "1x", "--url", server.url, "--no-discover");
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/name: must start with a letter/);
    const noCredential = await cli("mcp", "add", "x", "--url", server.url, "--credential", "missing", "--no-discover");
    expect(noCredential.code).toBe(2);
    expect(noCredential.stderr).toMatch(/no credential "missing"/);
    const noEnvCredential = await cli(
      "mcp",
      "add",
      "x",
      "--command",
      "node",
      "--env",
      "TOKEN=missing",
      "--no-discover",
    );
    expect(noEnvCredential.code).toBe(2);
    expect(noEnvCredential.stderr).toMatch(/no credential "missing" in this workspace \(for the variable TOKEN\)/);
    const badEnv = await cli("mcp", "add", "x", "--command", "node", "--env", "TOKEN", "--no-discover");
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toMatch(/--env takes NAME=CREDENTIAL/);
    expect((await cli("mcp", "list", "--json")).json()).toEqual({ servers: [] });
    const unknown = await cli("mcp", "tools", "nope");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no MCP server "nope"/);
  });
});
