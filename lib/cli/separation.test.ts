// `switchboard decide` and separation of duties: the command line decides as no member in
// particular, so with the workspace setting on it refuses (naming the rule) and changes nothing;
// decisions then go through a member (inbox, API, signed link). SQLite; the rule's database side
// is tested on both databases in lib/use-cases/approvals/separation.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../db/client";
import type { RunResult } from "../engine/types";
import type { DatabaseTarget } from "../env";
import { HITL_DOCUMENT } from "./fixtures";
import { runCliInProcess } from "./testing";

process.env.SWITCHBOARD_SEED = "0";

let dir: string;
let target: DatabaseTarget;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "switchboard-cli-sod-"));
  const file = join(dir, "cli.db");
  target = { provider: "sqlite", file, url: `file:${file}` };
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("switchboard decide with separation of duties", () => {
  it("refuses while the workspace requires it, decides once it is off", async () => {
    const path = join(dir, "hitl.json");
    writeFileSync(path, JSON.stringify(HITL_DOCUMENT));
    const run = (await runCliInProcess(target, ["run", path, "--json"])).json() as RunResult;
    const [approval] = (await runCliInProcess(target, ["approvals", "--run", run.runId, "--json"])).json();
    const db = await openDb(target);
    try {
      const ws = await db.prisma.run.findUniqueOrThrow({ where: { id: run.runId }, select: { workspaceId: true } });
      await db.prisma.workspace.update({
        where: { id: ws.workspaceId },
        data: { settings: { separationOfDuties: true } },
      });
      const refused = await runCliInProcess(target, ["decide", approval.id, "approve"]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/separation of duties/);
      expect((await db.prisma.approval.findUniqueOrThrow({ where: { id: approval.id } })).status).toBe("pending");

      await db.prisma.workspace.update({
        where: { id: ws.workspaceId },
        data: { settings: { separationOfDuties: false } },
      });
      const decided = await runCliInProcess(target, ["decide", approval.id, "approve"]);
      expect(decided.code, decided.stderr).toBe(0);
    } finally {
      await db.close();
    }
  });
});
