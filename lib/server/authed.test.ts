import { beforeAll, describe, expect, it, vi } from "vitest";

import { z } from "zod";
import { createApiKey, revokeApiKey } from "@/lib/db/api-keys";
import type { Db } from "@/lib/db/client";
import { seedUser, seedWorkflow, seedWorkspaceRow } from "@/lib/db/fixtures";
import { TEST_DATABASES } from "@/lib/db/testing";
import { authedAction } from "./action";
import { authedRoute } from "./route";
import { serverHarness, type TestDb } from "./testing";

type Fixture = {
  acme: string;
  other: string;
  users: Record<string, string>;
  workflowId: string;
  otherWorkflowId: string;
};

async function fixture(db: Db): Promise<Fixture> {
  const acme = await seedWorkspaceRow(db, "Acme");
  const other = await seedWorkspaceRow(db, "Other");
  const users: Record<string, string> = {};
  for (const role of ["admin", "editor", "approver", "viewer"] as const) {
    users[role] = (await seedUser(db, role, { workspaceId: acme.id, role })).id;
  }
  users.outsider = (await seedUser(db, "Outsider", { workspaceId: other.id, role: "admin" })).id;
  users.removed = (await seedUser(db, "Gone")).id;
  const wf = await seedWorkflow(db, acme.id, { name: "Original" });
  const owf = await seedWorkflow(db, other.id, { name: "Theirs" });
  return { acme: acme.id, other: other.id, users, workflowId: wf.id, otherWorkflowId: owf.id };
}

describe.each(TEST_DATABASES)("authedAction and authedRoute on $name", ({ open }) => {
  const server = serverHarness(open, fixture);
  let db: TestDb;
  let f: Fixture;
  const handlerCalls = vi.fn();

  beforeAll(() => {
    ({ db, fx: f } = server);
  });

  const rename = authedAction(
    {
      action: "workflow.update",
      input: z.object({ id: z.string().min(1), name: z.string().trim().min(1, "Name is required").max(100) }),
      resource: (input, d) => d.prisma.workflow.findUnique({ where: { id: input.id } }),
    },
    async ({ input, db: d, actor }) => {
      handlerCalls();
      await d.prisma.workflow.update({
        where: { id: input.id },
        data: { name: input.name, updatedById: actor.userId },
      });
      return { renamed: input.name };
    },
  );

  const nameOf = async (id: string) => (await db.prisma.workflow.findUniqueOrThrow({ where: { id } })).name;
  const as = (who: string | null) => {
    server.signIn(who ? { userId: f.users[who] as string, workspaceId: who === "outsider" ? f.other : f.acme } : null);
  };

  it("refuses a call without a session and changes nothing", async () => {
    as(null);
    const result = await rename({ id: f.workflowId, name: "Hacked" });
    expect(result).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    expect(await nameOf(f.workflowId)).toBe("Original");
  });

  it("refuses a removed member (token still valid, membership gone)", async () => {
    server.signIn({ userId: f.users.removed as string, workspaceId: f.acme });
    expect(await rename({ id: f.workflowId, name: "Hacked" })).toMatchObject({
      ok: false,
      error: { code: "unauthenticated" },
    });
    expect(await nameOf(f.workflowId)).toBe("Original");
  });

  it("refuses another workspace's object like an unknown one, and changes nothing", async () => {
    as("outsider");
    const result = await rename({ id: f.workflowId, name: "Hacked" });
    expect(result).toMatchObject({ ok: false, error: { code: "not_found:workflow" } });
    expect(result).toEqual(await rename({ id: "no-such-workflow", name: "Hacked" }));
    expect(await nameOf(f.workflowId)).toBe("Original");
  });

  it("refuses a role that may not do it and changes nothing", async () => {
    for (const role of ["viewer", "approver"]) {
      as(role);
      expect(await rename({ id: f.workflowId, name: "Hacked" })).toMatchObject({
        ok: false,
        error: { code: "forbidden:workflow" },
      });
    }
    expect(await nameOf(f.workflowId)).toBe("Original");
  });

  it("names the invalid field and changes nothing", async () => {
    as("editor");
    const result = await rename({ id: f.workflowId, name: "   " });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("invalid:input");
    expect(result.error.fieldErrors).toEqual([{ path: "name", message: "Name is required" }]);
    expect(result.error.message).toContain("name");
    expect(await nameOf(f.workflowId)).toBe("Original");
  });

  it("says not_found for a missing object", async () => {
    as("editor");
    expect(await rename({ id: "nope", name: "X" })).toMatchObject({ ok: false, error: { code: "not_found:workflow" } });
  });

  it("never runs the handler on a refusal", () => {
    expect(handlerCalls).not.toHaveBeenCalled();
  });

  it("runs the handler for an allowed actor", async () => {
    as("editor");
    expect(await rename({ id: f.workflowId, name: "Renamed" })).toEqual({ ok: true, data: { renamed: "Renamed" } });
    expect(await nameOf(f.workflowId)).toBe("Renamed");
    expect(handlerCalls).toHaveBeenCalledTimes(1);
  });

  it("hides internal errors behind a reference", async () => {
    as("admin");
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const boom = authedAction({ action: "workflow.read", input: z.object({}) }, async () => {
      throw new Error("SQLITE_CORRUPT secret path /var/lib/x");
    });
    const result = await boom({});
    expect(result).toMatchObject({ ok: false, error: { code: "internal" } });
    expect(JSON.stringify(result)).not.toContain("SQLITE_CORRUPT");
    expect(log).toHaveBeenCalled();
    log.mockRestore();
  });

  describe("authedRoute", () => {
    const route = authedRoute(
      {
        action: "workflow.update",
        input: z.object({ name: z.string().min(1) }),
        resource: (_input, d, params) => d.prisma.workflow.findUnique({ where: { id: String(params.id) } }),
      },
      async ({ input, db: d, resource, actor }) => {
        await d.prisma.workflow.update({ where: { id: resource.id }, data: { name: input.name } });
        return { name: input.name, by: actor.via };
      },
    );
    const params = (id: string) => ({ params: Promise.resolve({ id }) });
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      new Request("http://localhost:3000/api/x", {
        method: "POST",
        headers: { "content-type": "application/json", host: "localhost:3000", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });

    it("401 without session or key", async () => {
      as(null);
      const res = await route(post({ name: "A" }), params(f.workflowId));
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthenticated");
    });

    it("refuses a cookie-authenticated write from another origin (CSRF)", async () => {
      as("editor");
      const res = await route(post({ name: "A" }, { origin: "https://evil.example" }), params(f.workflowId));
      expect(res.status).toBe(403);
      const none = await route(post({ name: "A" }), params(f.workflowId));
      expect(none.status).toBe(403);
      expect(await nameOf(f.workflowId)).toBe("Renamed");
    });

    it("accepts a same-origin session write", async () => {
      as("editor");
      const res = await route(post({ name: "ViaRoute" }, { origin: "http://localhost:3000" }), params(f.workflowId));
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ name: "ViaRoute", by: "session" });
    });

    it("400 names the field; bad JSON is a 400 too", async () => {
      as("editor");
      const res = await route(post({ name: "" }, { origin: "http://localhost:3000" }), params(f.workflowId));
      expect(res.status).toBe(400);
      expect((await res.json()).error.fieldErrors[0].path).toBe("name");
      const bad = await route(post("{nope", { origin: "http://localhost:3000" }), params(f.workflowId));
      expect(bad.status).toBe(400);
    });

    it("authenticates an API key with the key's role; refuses revoked and unknown keys", async () => {
      as(null);
      const editorKey = await createApiKey(db.prisma, {
        workspaceId: f.acme,
        name: "ci",
        role: "editor",
        createdById: null,
      });
      const ok = await route(
        post({ name: "ByKey" }, { authorization: `Bearer ${editorKey.key}` }),
        params(f.workflowId),
      );
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ name: "ByKey", by: "apiKey" });

      const viewerKey = await createApiKey(db.prisma, {
        workspaceId: f.acme,
        name: "ro",
        role: "viewer",
        createdById: null,
      });
      const ro = await route(post({ name: "X" }, { authorization: `Bearer ${viewerKey.key}` }), params(f.workflowId));
      expect(ro.status).toBe(403);

      const otherKey = await createApiKey(db.prisma, {
        workspaceId: f.other,
        name: "o",
        role: "admin",
        createdById: null,
      });
      const cross = await route(post({ name: "X" }, { authorization: `Bearer ${otherKey.key}` }), params(f.workflowId));
      expect(cross.status).toBe(404);

      await revokeApiKey(db.prisma, { workspaceId: f.acme, id: editorKey.apiKey.id });
      const revoked = await route(
        post({ name: "X" }, { authorization: `Bearer ${editorKey.key}` }),
        params(f.workflowId),
      );
      expect(revoked.status).toBe(401);
      const unknown = await route(post({ name: "X" }, { authorization: "Bearer sb_notakey" }), params(f.workflowId));
      expect(unknown.status).toBe(401);
      expect(await nameOf(f.workflowId)).toBe("ByKey");
    });

    it("404 for a missing object", async () => {
      as("editor");
      const res = await route(post({ name: "A" }, { origin: "http://localhost:3000" }), params("missing"));
      expect(res.status).toBe(404);
    });
  });
});
