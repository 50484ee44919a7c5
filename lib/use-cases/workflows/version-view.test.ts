// The Versions tab's documents: editors see a version as stored; viewers and approvers see its
// literal secrets masked and the workspace's credential values redacted (like the draft).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "@/lib/db/client";
import { type Fixture, seedWorkspace } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { edge, node, trigger, workflow } from "@/lib/engine/testing/builders";
import { createPlatform, type Platform } from "@/lib/use-cases/models/platform";
import { createVault } from "@/lib/vault/seal";
import { versionDocumentFor } from "./version-view";

const VALUE = "vault-VALUE-3k9m2n7b";
const LITERAL = "typed-LITERAL-8h4j6g";

let db: Db & { dispose(): Promise<void> };
let fx: Fixture;
let platform: Platform;
beforeAll(async () => {
  db = await openTestSqlite();
  fx = await seedWorkspace(db);
  platform = createPlatform({
    db,
    vault: () => createVault("version-view-vault-key-0123456789abcdef"),
    allowPrivateNetwork: false,
  });
  await platform.credentials.create(fx.workspaceId, { name: "crm", kind: "bearer", value: VALUE });
  const doc = workflow(
    [
      trigger(),
      node("call", "http", {
        method: "GET",
        url: `https://api.example.com/x?note=${VALUE}`,
        headers: { Authorization: `Bearer ${LITERAL}` },
      }),
    ],
    [edge("start", "call")],
  );
  await db.prisma.workflowVersion.create({
    data: {
      workspaceId: fx.workspaceId,
      workflowId: fx.workflowId,
      version: 2,
      document: doc as object,
      contentHash: "vv-2",
    },
  });
});
afterAll(() => db.dispose());

describe("version documents in the Versions tab", () => {
  it("are masked and redacted for viewers and approvers, as stored for editors", async () => {
    for (const role of ["viewer", "approver"] as const) {
      const shown = JSON.stringify(await versionDocumentFor(db, fx.users[role], platform.redaction, fx.workflowId, 2));
      expect(shown).not.toContain(LITERAL);
      expect(shown).not.toContain(VALUE);
      expect(shown).toContain("••••••");
      expect(shown).toContain("[redacted]");
    }
    const edited = JSON.stringify(await versionDocumentFor(db, fx.users.editor, platform.redaction, fx.workflowId, 2));
    expect(edited).toContain(LITERAL);
  });
});
