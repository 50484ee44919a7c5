// MCP server registration on a real database: only admins register, credentials must exist,
// changes are audited; and a stdio server's command runs only when a run reaches a step that uses
// it — never on registration without discovery, import, validation, listing or the editor's data.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { findMcpServer } from "@/lib/db/mcp-servers";
import { openTestSqlite } from "@/lib/db/testing";
import { pinDocumentVersion } from "@/lib/db/workflows-store";
import { createTestHost, type TestHost } from "@/lib/host-testing";
import { validateWorkflow } from "@/lib/workflow/validate";
import { scopeOf } from "../scope";
import { importWorkflow } from "../workflows";
import { addServer, listServers, removeServer, setApprovalTools } from "./servers";

type TestDb = Awaited<ReturnType<typeof openTestSqlite>>;
let db: TestDb;
let fx: Fixture;
let host: TestHost;
let dir: string;
beforeAll(async () => {
  db = await openTestSqlite();
  fx = await seedWorkspace(db);
  host = await createTestHost({ db });
  dir = mkdtempSync(join(tmpdir(), "switchboard-mcp-spawn-"));
});
afterAll(async () => {
  await host.dispose();
  await db.dispose();
  rmSync(dir, { recursive: true, force: true });
});

const deps = () => ({ db, mcp: host.mcp });

describe("MCP servers of a workspace", () => {
  it("only an admin registers; bad input names the field; a credential must exist", async () => {
    await expect(
      addServer(deps(), fx.users.editor, { name: "x", transport: "http", url: "https://mcp.example.com/mcp" }),
    ).rejects.toMatchObject({ code: "forbidden:mcpserver" });
    await expect(
      addServer(deps(), fx.users.admin, { name: "x", transport: "http", url: "https://u:p@mcp.example.com/" }),
    ).rejects.toMatchObject({ code: "invalid:mcpserver", fieldErrors: [{ path: "url" }] });
    await expect(
      addServer(deps(), fx.users.admin, { name: "x", transport: "stdio", command: "node\nrm -rf /" }),
    ).rejects.toMatchObject({ fieldErrors: [{ path: "command" }] });
    await expect(
      addServer(deps(), fx.users.admin, {
        name: "x",
        transport: "http",
        url: "https://mcp.example.com/mcp",
        credential: "missing",
      }),
    ).rejects.toMatchObject({ fieldErrors: [{ path: "credential", message: "does not exist in this workspace" }] });
    // a stdio server's environment: variable names pinned, each from an existing credential
    const stdio = { name: "x", transport: "stdio", command: "node" };
    await expect(
      addServer(deps(), fx.users.editor, { ...stdio, env: { CRM_TOKEN: "crm-token" } }),
    ).rejects.toMatchObject({ code: "forbidden:mcpserver" });
    await expect(addServer(deps(), fx.users.admin, { ...stdio, env: { CRM_TOKEN: "missing" } })).rejects.toMatchObject({
      fieldErrors: [{ path: "env.CRM_TOKEN", message: "does not exist in this workspace" }],
    });
    for (const name of ["NODE_OPTIONS", "LD_PRELOAD", "PATH", "BAD-NAME"])
      await expect(addServer(deps(), fx.users.admin, { ...stdio, env: { [name]: "crm-token" } })).rejects.toMatchObject(
        {
          code: "invalid:mcpserver",
        },
      );
    expect(await listServers(db, fx.users.admin)).toEqual([]);
  });

  it("registers, marks tools, removes — each audited; a duplicate name is a conflict", async () => {
    const added = await addServer(
      deps(),
      fx.users.admin,
      { name: "crm", transport: "http", url: "https://crm.example.com/mcp" },
      { discover: false },
    );
    expect(added).toMatchObject({ name: "crm", transport: "http", target: "https://crm.example.com/mcp", tools: null });
    await expect(
      addServer(
        deps(),
        fx.users.admin,
        { name: "crm", transport: "http", url: "https://x.example.com/" },
        { discover: false },
      ),
    ).rejects.toMatchObject({ code: "conflict:mcpserver" });
    const marked = await setApprovalTools(db, fx.users.admin, "crm", ["delete_contact", "delete_contact"]);
    expect(marked.approvalTools).toEqual(["delete_contact"]);
    await expect(setApprovalTools(db, fx.users.editor, "crm", [])).rejects.toMatchObject({
      code: "forbidden:mcpserver",
    });
    await removeServer(db, fx.users.admin, "crm");
    const audit = await db.prisma.auditEntry.findMany({
      where: { workspaceId: fx.workspaceId, action: { startsWith: "mcpserver." } },
      orderBy: { createdAt: "asc" },
    });
    expect(audit.map((a) => a.action)).toEqual(["mcpserver.added", "mcpserver.approvals_changed", "mcpserver.removed"]);
  });

  it("a stdio command starts only when a run reaches the step: not on registration, import, validation or listing", async () => {
    const marker = join(dir, "spawned");
    await addServer(
      deps(),
      fx.users.admin,
      {
        name: "marker",
        transport: "stdio",
        command: process.execPath,
        args: ["-e", `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "spawned")`],
      },
      { discover: false },
    );
    const doc = {
      format: "switchboard.workflow/v1",
      name: "Uses a stdio server",
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        { id: "call", type: "tool", config: { server: "marker", tool: "anything", arguments: {} } },
        { id: "helper", type: "agent", config: { tools: [{ server: "marker", tool: "anything" }] } },
      ],
      edges: [
        { source: "start", target: "call" },
        { source: "call", target: "helper" },
      ],
    };
    const imported = await importWorkflow(db, scopeOf(fx.users.editor), JSON.stringify(doc));
    expect(validateWorkflow(doc).valid).toBe(true);
    await listServers(db, fx.users.editor);
    await findMcpServer(db, fx.workspaceId, "marker");
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(marker)).toBe(false);

    expect(imported.name).toBe("Uses a stdio server");
    const pinned = await pinDocumentVersion(db, { workspaceId: fx.workspaceId, document: doc as never, note: "test" });
    const result = await host.engine.execute(
      {
        document: doc,
        workspaceId: fx.workspaceId,
        workflowId: pinned.workflowId,
        workflowVersionId: pinned.workflowVersionId,
      },
      {},
    );
    expect(result.status).toBe("failed"); // the marker script is not an MCP server
    expect(existsSync(marker)).toBe(true);
  }, 30_000);
});
