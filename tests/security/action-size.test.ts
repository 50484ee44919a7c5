// Server actions refuse requests over their size limit before the session, the database or the
// input schema look at them: 1 MiB by default, 10 MiB for the actions that carry a whole workflow
// (import, save, check). The 10 MiB cap is also Next's own (next.config.js) and the preload's 413
// (bin/peer-address.cjs, tested in lib/server/client-address.test.ts): the three numbers agree.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { importWorkflowAction, renameWorkflowAction } from "@/app/(app)/workflows/actions";
import { type Fixture, MINIMAL_DOCUMENT } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { ACTION_LARGE_BODY_BYTES, ACTION_MAX_BODY_BYTES, inputBytesOver } from "@/lib/server/action";
import { serverHarness, type TestDb } from "@/lib/server/testing";

const require = createRequire(import.meta.url);
// next.config.js is plain JavaScript without types: load it by URL and type what we use.
const nextConfig = (
  (await import(new URL("../../next.config.js", import.meta.url).href)) as {
    default: (phase: string) => { experimental?: { serverActions?: { bodySizeLimit?: string } } };
  }
).default;

describe("the limits agree", () => {
  it("next.config.js, the preload and authedAction use the same 10 MiB cap", () => {
    const config = nextConfig("phase-production-server");
    const bytes = require("next/dist/compiled/bytes") as { parse(v: string): number };
    expect(bytes.parse(config.experimental?.serverActions?.bodySizeLimit ?? "")).toBe(ACTION_LARGE_BODY_BYTES);
    // the preload's constant, read as text (requiring it would patch this process's http server)
    const preload = readFileSync(new URL("../../bin/peer-address.cjs", import.meta.url), "utf8");
    const m = /const ACTION_BODY_LIMIT = (\d+) \* 1024 \* 1024;/.exec(preload);
    expect(Number(m?.[1]) * 1024 * 1024).toBe(ACTION_LARGE_BODY_BYTES);
    expect(ACTION_MAX_BODY_BYTES).toBe(1024 * 1024);
  });

  it("measures an input only until it passes the limit", () => {
    expect(inputBytesOver({ name: "a".repeat(100) }, 200)).toBe(false);
    expect(inputBytesOver({ name: "é".repeat(100) }, 150)).toBe(true);
    expect(inputBytesOver([{ a: ["x".repeat(60)] }, { b: "y".repeat(60) }], 100)).toBe(true);
  });
});

describe.each(TEST_DATABASES)("server action size limits on $name", ({ open }) => {
  const server = serverHarness(open);
  let db: TestDb;
  let fx: Fixture;
  beforeAll(() => {
    ({ db, fx } = server);
  });

  it("refuses an oversized input to a small action with too_large, changing nothing", async () => {
    server.as("editor");
    const auditBefore = await db.prisma.auditEntry.count();
    const result = await renameWorkflowAction({ id: fx.workflowId, name: "x".repeat(ACTION_MAX_BODY_BYTES + 10) });
    expect(result).toMatchObject({ ok: false, error: { code: "too_large" } });
    expect((await db.prisma.workflow.findUnique({ where: { id: fx.workflowId } }))?.name).toBe("Refunds");
    expect(await db.prisma.auditEntry.count()).toBe(auditBefore);
    // even signed out the answer is the size, not a session check that would read the database
    server.as(null);
    expect(
      await renameWorkflowAction({ id: fx.workflowId, name: "x".repeat(ACTION_MAX_BODY_BYTES + 10) }),
    ).toMatchObject({
      ok: false,
      error: { code: "too_large" },
    });
  });

  it("accepts a 2 MiB workflow import, refuses one over 10 MiB", async () => {
    server.as("editor");
    const big = { ...MINIMAL_DOCUMENT, name: "Big", description: "d".repeat(2 * 1024 * 1024) };
    const accepted = await importWorkflowAction({ text: JSON.stringify(big) });
    expect(accepted.ok ? "ok" : accepted.error.code).not.toBe("too_large");
    const huge = await importWorkflowAction({ text: "x".repeat(ACTION_LARGE_BODY_BYTES + 1) });
    expect(huge).toMatchObject({ ok: false, error: { code: "too_large" } });
  });
});
