// API-key scopes: what a key may be used for, on top of what its role allows. A key stores a list
// of scopes (ApiKey.scopes); a key without a list — every key made before scopes existed —
// may be used for every scope (what those keys could do before). The one check is
// `keyAllowsScope`; every entry point that takes a key asks it (MCP at /api/mcp: "mcp"; A2A at
// /api/a2a: "a2a"; the REST API at /api/v1: the scope of the action, `scopeForAction`).
// "admin" grants every scope; a write scope includes its read scope.
import type { Action } from "./policy";

export const API_KEY_SCOPES = [
  "runs:read",
  "runs:write",
  "approvals:decide",
  "workflows:read",
  "workflows:write",
  "admin",
  "mcp",
  "a2a",
] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_SCOPE_LABELS: Record<ApiKeyScope, string> = {
  "runs:read": "Runs: list and read runs, their events and approvals",
  "runs:write": "Runs: start, cancel, retry and re-run (includes runs:read)",
  "approvals:decide": "Approvals: list, read and decide the approvals the key's role may decide",
  "workflows:read": "Workflows: list, read and export",
  "workflows:write": "Workflows: import and publish (includes workflows:read)",
  admin: "Admin: every scope, and everything else the key's role allows",
  mcp: "MCP: list and call the workflows offered as MCP tools (/api/mcp)",
  a2a: "A2A: send tasks to the workflows offered as A2A agents (/api/a2a)",
};

/** Scopes that include another one besides "admin" (which includes all). */
const IMPLIED: Partial<Record<ApiKeyScope, readonly ApiKeyScope[]>> = {
  "runs:read": ["runs:write"],
  "workflows:read": ["workflows:write"],
};

/** May a key with these scopes be used for `scope`? (null: a key without a list — yes.) */
export function keyAllowsScope(key: { scopes: readonly string[] | null }, scope: ApiKeyScope): boolean {
  if (key.scopes === null) return true;
  if (key.scopes.includes(scope) || key.scopes.includes("admin")) return true;
  return (IMPLIED[scope] ?? []).some((s) => key.scopes?.includes(s));
}

/**
 * The scopes any one of which lets a key perform `action` through the REST API. Actions not
 * listed need "admin".
 */
export function scopesForAction(action: Action): readonly ApiKeyScope[] {
  switch (action) {
    case "run.read":
      return ["runs:read"];
    case "run.start":
    case "run.cancel":
    case "run.retry":
      return ["runs:write"];
    case "approval.read":
      return ["runs:read", "approvals:decide"];
    case "approval.decide":
      return ["approvals:decide"];
    case "workflow.read":
    case "workflow.export":
      return ["workflows:read"];
    case "workflow.create":
    case "workflow.update":
    case "workflow.import":
    case "workflow.publish":
      return ["workflows:write"];
    default:
      return ["admin"];
  }
}

export function isApiKeyScope(value: unknown): value is ApiKeyScope {
  return typeof value === "string" && (API_KEY_SCOPES as readonly string[]).includes(value);
}
