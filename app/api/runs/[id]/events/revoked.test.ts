// An open run event stream ends when its viewer's session is revoked (sign-out, password change)
// or the viewer is removed from the workspace, instead of delivering for days (issue 14). The
// stream re-checks its caller every ~2 s and sends `event: revoked` before closing.
import { describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { GET as events } from "@/app/api/runs/[id]/events/route";
import { seedRun, seedUser } from "@/lib/db/fixtures";
import { createUserSession, revokeSession } from "@/lib/db/sessions";
import { TEST_DATABASES } from "@/lib/db/testing";
import { removeMember } from "@/lib/db/users";
import { serverHarness } from "@/lib/server/testing";

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

/** Reads the stream until it ends (or `ms` pass); returns what came and whether it ended. */
async function readUntilEnd(res: Response, ms: number): Promise<{ text: string; ended: boolean }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const next = await Promise.race([
      reader.read(),
      new Promise<null>((r) => setTimeout(() => r(null), Math.max(1, deadline - Date.now()))),
    ]);
    if (next === null) break;
    if (next.done) return { text, ended: true };
    text += decoder.decode(next.value, { stream: true });
  }
  await reader.cancel().catch(() => {});
  return { text, ended: false };
}

describe.each(TEST_DATABASES)("run event stream and ended access on $name", ({ open }) => {
  const server = serverHarness(open);

  async function openStream(userId: string) {
    const { fx, db } = server;
    const run = await seedRun(db, {
      workspaceId: fx.workspaceId,
      workflowId: fx.workflowId,
      workflowVersionId: fx.versionId,
      status: "running",
    });
    const { id: sid } = await createUserSession(db, { userId: userId, expiresAt: new Date(Date.now() + 3600_000) });
    server.signIn({ userId: userId, workspaceId: fx.workspaceId, sessionId: sid });
    const abort = new AbortController();
    const res = await events(new Request(`http://x/api/runs/${run.id}/events`, { signal: abort.signal }), ctx(run.id));
    expect(res.status).toBe(200);
    return { res, sid, abort, runId: run.id };
  }

  it("keeps streaming while the session is valid, closes within seconds once it is revoked", async () => {
    const user = await seedUser(server.db, "Stream Viewer", { workspaceId: server.fx.workspaceId, role: "viewer" });
    const { res, sid, abort } = await openStream(user.id);
    setTimeout(() => void revokeSession(server.db, sid, "signed_out"), 500);
    const { text, ended } = await readUntilEnd(res, 8_000);
    abort.abort();
    expect(ended).toBe(true);
    expect(text).toContain("event: revoked");
  });

  it("closes for a member removed from the workspace", async () => {
    const user = await seedUser(server.db, "Removed Viewer", { workspaceId: server.fx.workspaceId, role: "viewer" });
    const { res, abort } = await openStream(user.id);
    setTimeout(() => void removeMember(server.db, { workspaceId: server.fx.workspaceId, userId: user.id }), 500);
    const { text, ended } = await readUntilEnd(res, 8_000);
    abort.abort();
    expect(ended).toBe(true);
    expect(text).toContain("event: revoked");
  });

  it("does not close on its own while access lasts", async () => {
    const user = await seedUser(server.db, "Staying Viewer", { workspaceId: server.fx.workspaceId, role: "viewer" });
    const { res, abort } = await openStream(user.id);
    const { text, ended } = await readUntilEnd(res, 4_500);
    abort.abort();
    expect(ended).toBe(false);
    expect(text).not.toContain("event: revoked");
  });
});
