// The Versions tab's server action (getVersionAction) with a test session: a viewer gets a
// published version with its literal secrets masked and the workspace's credential values
// redacted; an editor gets it as stored.
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";
process.env.SWITCHBOARD_SECRET_KEY = "version-action-test-vault-key-0123456789ab";

import { createCredentialAction } from "@/app/(app)/settings/credentials/actions";
import { getVersionAction } from "@/app/(app)/workflows/actions";
import type { Fixture } from "@/lib/db/fixtures";
import { openTestSqlite } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

const VALUE = "vault-VALUE-6t5r4e3w";
const LITERAL = "typed-LITERAL-2q1w9e8r";

describe("getVersionAction", () => {
  const server = serverHarness(openTestSqlite);
  const { as } = server;
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });

  it("masks and redacts a version for viewers, not for editors", async () => {
    as("admin");
    expect((await createCredentialAction({ name: "crm", kind: "bearer", value: VALUE })).ok).toBe(true);
    const document = {
      schemaVersion: 1,
      name: "With secrets",
      nodes: [
        { id: "start", type: "trigger", config: {} },
        {
          id: "call",
          type: "http",
          config: { url: `https://api.example.com/x?note=${VALUE}`, headers: { Authorization: `Bearer ${LITERAL}` } },
        },
      ],
      edges: [{ source: "start", target: "call" }],
    };
    await db.prisma.workflowVersion.create({
      data: { workspaceId: fx.workspaceId, workflowId: fx.workflowId, version: 2, document, contentHash: "va-2" },
    });

    as("viewer");
    const viewed = await getVersionAction({ id: fx.workflowId, version: 2 });
    expect(viewed.ok).toBe(true);
    const shown = JSON.stringify(viewed.ok ? viewed.data : null);
    expect(shown).not.toContain(LITERAL);
    expect(shown).not.toContain(VALUE);
    expect(shown).toContain("[redacted]");

    as("editor");
    const edited = await getVersionAction({ id: fx.workflowId, version: 2 });
    expect(JSON.stringify(edited.ok ? edited.data : null)).toContain(LITERAL);
  });
});
