// Exports name credentials, never values; imports bind them by name in the workspace or list
// what is missing, naming the nodes, and import nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "@/lib/contracts/app-errors";
import type { Db } from "@/lib/db/client";
import { createCredentialStore } from "@/lib/db/credentials";
import { seedWorkspaceRow } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { createRedactor } from "@/lib/vault/redact";
import { createVault } from "@/lib/vault/seal";
import type { Scope } from "../scope";
import { exportWorkflow, importWorkflow } from "./index";

const VALUE = "crm-secret-value-77a1";
const doc = {
  format: "switchboard.workflow/v1",
  name: "Sync CRM",
  nodes: [
    { id: "start", type: "trigger", config: { kind: "manual" } },
    {
      id: "fetch",
      type: "http",
      config: {
        url: "https://crm.example.com/contacts?api_key=literal-key-123",
        credential: "crm",
        headers: { Authorization: "Bearer literal-token-456", "X-Note": `pasted ${VALUE}` },
      },
    },
    { id: "push", type: "http", config: { url: "https://crm.example.com/push", credential: "crm", headers: {} } },
    { id: "audit", type: "http", config: { url: "https://audit.example.com/", credential: "audit-log", headers: {} } },
  ],
  edges: [
    { source: "start", target: "fetch" },
    { source: "fetch", target: "push" },
    { source: "push", target: "audit" },
  ],
};

describe.each(TEST_DATABASES)("credentials in exports and imports on $name", ({ open }) => {
  let db: Db & { dispose(): Promise<void> };
  let a: Scope;
  let b: Scope;
  beforeAll(async () => {
    db = await open();
    a = { workspaceId: (await seedWorkspaceRow(db, "A")).id, actor: { label: "system" } };
    b = { workspaceId: (await seedWorkspaceRow(db, "B")).id, actor: { label: "system" } };
  });
  afterAll(() => db.dispose());

  it("refuses an import naming missing credentials, naming the nodes; binds them once they exist", async () => {
    const store = createCredentialStore(db, createVault("workflow-credentials-test-key-0123456789"));
    await store.create(a.workspaceId, { name: "crm", kind: "bearer", value: VALUE });
    const e = await importWorkflow(db, a, JSON.stringify(doc)).catch((err) => err);
    expect(e).toBeInstanceOf(AppError);
    expect(e.code).toBe("invalid:document");
    expect(e.message).toContain("“audit-log” (used by node audit)");
    expect(e.message).not.toContain("“crm”");
    expect(e.fieldErrors).toEqual([
      { path: "nodes.3.config.credential", message: 'the credential "audit-log" does not exist in this workspace' },
    ]);
    expect(await db.prisma.workflow.count({ where: { workspaceId: a.workspaceId } })).toBe(0);

    await store.create(a.workspaceId, { name: "audit-log", kind: "bearer", value: "audit-value-000" });
    const imported = await importWorkflow(db, a, JSON.stringify(doc));

    const redactor = createRedactor([VALUE]);
    const exported = await exportWorkflow(db, a.workspaceId, imported.id, undefined, { redact: redactor.redact });
    const text = JSON.stringify(exported);
    expect(text).not.toMatch(/literal-key|literal-token|crm-secret-value/);
    const nodes = exported.nodes as { config: { credential?: string } }[];
    expect(nodes.map((n) => n.config.credential)).toEqual([undefined, "crm", "crm", "audit-log"]);

    // the other workspace has neither: both named, the nodes listed
    const e2 = await importWorkflow(db, b, text).catch((err) => err);
    expect(e2.message).toContain("“crm” (used by nodes fetch, push), “audit-log” (used by node audit)");
  });
});
