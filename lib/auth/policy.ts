// The one authorization policy: can(actor, action, resource). Pages, server actions, route
// handlers, the CLI and the API all ask this module; nothing else decides who may do what.
//
// Rules live in one table keyed by every action, so adding an action to ACTIONS without a
// rule is a compile error, and policy.test.ts (table-driven from ACTIONS) fails until the new
// action has an expectation for every role.
import type { Role } from "./roles";

export type Actor = {
  userId: string;
  email: string;
  name: string;
  workspaceId: string;
  role: Role;
  /** how the actor authenticated: browser session, API key, the local CLI, or a signed approval link */
  via: "session" | "apiKey" | "cli" | "link";
  /** API keys only: the key's scopes (lib/auth/scopes.ts); null = a key made before scopes (every scope) */
  scopes?: readonly string[] | null;
  /** browser sessions only: the server-side session record (lib/db/sessions.ts) */
  sessionId?: string;
};

export const ACTIONS = [
  "workflow.read",
  "workflow.create",
  "workflow.update",
  "workflow.delete",
  "workflow.publish",
  "workflow.import",
  "workflow.export",
  "run.read",
  "run.start",
  "run.cancel",
  "run.retry",
  "approval.read",
  "approval.decide",
  "approval.reassign",
  "approval.readAll",
  "audit.read",
  "member.read",
  "member.manage",
  "account.manage",
  "settings.read",
  "settings.manage",
  "credential.read",
  "credential.manage",
  "apikey.manage",
  "mcp.read",
  "mcp.manage",
  "dashboard.read",
] as const;
export type Action = (typeof ACTIONS)[number];

/** What an action is aimed at. Always give workspaceId when the object exists. */
export type PolicyResource = {
  workspaceId: string;
  /** for approvals: roles the approval is assigned to */
  assigneeRoles?: string[];
  /** for approvals: user ids the approval is assigned to */
  assigneeUserIds?: string[];
};

type Rule = (actor: Actor, resource: PolicyResource | undefined) => boolean;

const anyMember: Rule = () => true;
const roles =
  (...allowed: Role[]): Rule =>
  (actor) =>
    allowed.includes(actor.role);

/**
 * Deciding an approval: admins always may (they can unblock anything); viewers never; anyone
 * else only when the approval is assigned to them by user id or by role. Without the approval's
 * assignees only an admin passes, so callers must load the approval first.
 */
const decideApproval: Rule = (actor, resource) => {
  if (actor.role === "viewer") return false;
  if (actor.role === "admin") return true;
  if (!resource) return false;
  return (resource.assigneeUserIds ?? []).includes(actor.userId) || (resource.assigneeRoles ?? []).includes(actor.role);
};

const RULES: Record<Action, Rule> = {
  "workflow.read": anyMember,
  "workflow.create": roles("admin", "editor"),
  "workflow.update": roles("admin", "editor"),
  "workflow.delete": roles("admin", "editor"),
  "workflow.publish": roles("admin", "editor"),
  "workflow.import": roles("admin", "editor"),
  "workflow.export": anyMember,
  "run.read": anyMember,
  "run.start": roles("admin", "editor"),
  "run.cancel": roles("admin", "editor"),
  "run.retry": roles("admin", "editor"),
  "approval.read": anyMember,
  "approval.decide": decideApproval,
  "approval.reassign": roles("admin"),
  "approval.readAll": roles("admin"),
  "audit.read": roles("admin"),
  "member.read": anyMember,
  "member.manage": roles("admin"),
  // one's own account (password): every member, for themselves only
  "account.manage": anyMember,
  "settings.read": anyMember,
  "settings.manage": roles("admin"),
  "credential.read": roles("admin", "editor"),
  "credential.manage": roles("admin"),
  "apikey.manage": roles("admin"),
  // MCP servers: editors see them (and their discovered tools) to build; only admins register,
  // change or remove them, and ask a server for its tools (which may spawn a stdio command)
  "mcp.read": roles("admin", "editor"),
  "mcp.manage": roles("admin"),
  "dashboard.read": anyMember,
};

/** A signed approval link authenticates one decision, nothing else. */
const LINK_ACTIONS: ReadonlySet<Action> = new Set(["approval.read", "approval.decide"]);

/**
 * May `actor` perform `action` (on `resource`)? Nobody (null) and members of another workspace
 * are always refused. Pass the resource whenever the object exists: the workspace check and
 * the approval assignee check depend on it.
 */
export function can(actor: Actor | null | undefined, action: Action, resource?: PolicyResource): boolean {
  if (!actor) return false;
  if (resource && resource.workspaceId !== actor.workspaceId) return false;
  if (actor.via === "link" && !LINK_ACTIONS.has(action)) return false;
  const rule = RULES[action];
  if (!rule) return false;
  return rule(actor, resource);
}

export function isAction(value: unknown): value is Action {
  return typeof value === "string" && (ACTIONS as readonly string[]).includes(value);
}
