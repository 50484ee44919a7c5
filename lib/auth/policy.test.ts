import { describe, expect, it } from "vitest";
import { ACTIONS, type Action, type Actor, can } from "./policy";
import { ROLES, type Role } from "./roles";

const WS = "ws_acme";
const OTHER = "ws_other";

function actor(role: Role, overrides: Partial<Actor> = {}): Actor {
  return {
    userId: `u_${role}`,
    email: `${role}@acme.test`,
    name: role,
    workspaceId: WS,
    role,
    via: "session",
    ...overrides,
  };
}

// What each role may do in its own workspace. Typed as Record<Action, …>: a new action without
// a row here is a compile error, and the "covers every action" test fails at run time too.
// For approval.decide the row is for an approval NOT assigned to the actor (see the assignee tests).
const Y = true;
const N = false;
const EXPECTED: Record<Action, Record<Role, boolean>> = {
  "workflow.read": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "workflow.create": { admin: Y, editor: Y, approver: N, viewer: N },
  "workflow.update": { admin: Y, editor: Y, approver: N, viewer: N },
  "workflow.delete": { admin: Y, editor: Y, approver: N, viewer: N },
  "workflow.publish": { admin: Y, editor: Y, approver: N, viewer: N },
  "workflow.import": { admin: Y, editor: Y, approver: N, viewer: N },
  "workflow.export": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "run.read": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "run.start": { admin: Y, editor: Y, approver: N, viewer: N },
  "run.cancel": { admin: Y, editor: Y, approver: N, viewer: N },
  "run.retry": { admin: Y, editor: Y, approver: N, viewer: N },
  "approval.read": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "approval.decide": { admin: Y, editor: N, approver: N, viewer: N },
  "approval.reassign": { admin: Y, editor: N, approver: N, viewer: N },
  "approval.readAll": { admin: Y, editor: N, approver: N, viewer: N },
  "audit.read": { admin: Y, editor: N, approver: N, viewer: N },
  "member.read": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "member.manage": { admin: Y, editor: N, approver: N, viewer: N },
  "account.manage": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "settings.read": { admin: Y, editor: Y, approver: Y, viewer: Y },
  "settings.manage": { admin: Y, editor: N, approver: N, viewer: N },
  "credential.read": { admin: Y, editor: Y, approver: N, viewer: N },
  "credential.manage": { admin: Y, editor: N, approver: N, viewer: N },
  "apikey.manage": { admin: Y, editor: N, approver: N, viewer: N },
  "mcp.read": { admin: Y, editor: Y, approver: N, viewer: N },
  "mcp.manage": { admin: Y, editor: N, approver: N, viewer: N },
  "dashboard.read": { admin: Y, editor: Y, approver: Y, viewer: Y },
};

describe("policy matrix", () => {
  it("has an expectation for every action and no stale ones", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
  });

  const cases = ACTIONS.flatMap((action) => ROLES.map((role) => ({ action, role, allowed: EXPECTED[action]?.[role] })));

  it.each(cases)("$role → $action in own workspace: $allowed", ({ action, role, allowed }) => {
    expect(allowed).toBeTypeOf("boolean");
    expect(can(actor(role), action, { workspaceId: WS })).toBe(allowed);
  });

  it.each(cases)("$role → $action on another workspace's object: refused", ({ action, role }) => {
    expect(
      can(actor(role), action, { workspaceId: OTHER, assigneeRoles: [role], assigneeUserIds: [`u_${role}`] }),
    ).toBe(false);
  });

  it.each(ACTIONS)("nobody → %s: refused", (action) => {
    expect(can(null, action, { workspaceId: WS })).toBe(false);
    expect(can(null, action)).toBe(false);
    expect(can(undefined, action)).toBe(false);
  });
});

describe("approval.decide", () => {
  const approval = (assigneeRoles: string[], assigneeUserIds: string[] = []) => ({
    workspaceId: WS,
    assigneeRoles,
    assigneeUserIds,
  });

  it("allows an assignee by role", () => {
    expect(can(actor("approver"), "approval.decide", approval(["approver"]))).toBe(true);
    expect(can(actor("editor"), "approval.decide", approval(["editor"]))).toBe(true);
  });

  it("allows an assignee by user id", () => {
    expect(can(actor("editor"), "approval.decide", approval([], ["u_editor"]))).toBe(true);
  });

  it("refuses a non-assignee", () => {
    expect(can(actor("approver"), "approval.decide", approval(["editor"], ["u_someone"]))).toBe(false);
    expect(can(actor("approver"), "approval.decide")).toBe(false);
  });

  it("always allows an admin in the workspace", () => {
    expect(can(actor("admin"), "approval.decide", approval([], []))).toBe(true);
  });

  it("never allows a viewer, even when assigned", () => {
    expect(can(actor("viewer"), "approval.decide", approval(["viewer"], ["u_viewer"]))).toBe(false);
  });

  it("refuses an assignee of another workspace", () => {
    expect(
      can(actor("approver", { workspaceId: OTHER }), "approval.decide", approval(["approver"], ["u_approver"])),
    ).toBe(false);
  });
});

describe("actors authenticated by an approval link", () => {
  it.each(ACTIONS)("%s is allowed only for approval.read and approval.decide", (action) => {
    const link = actor("admin", { via: "link" });
    expect(can(link, action, { workspaceId: WS })).toBe(action === "approval.read" || action === "approval.decide");
  });
});
