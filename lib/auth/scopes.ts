// API-key scopes: what a key may be used for, on top of what its role allows. A key stores a list
// of scopes (ApiKey.scopes); a key without a list — every key made before scopes existed —
// may be used for every scope. The one check is `keyAllowsScope`; every entry point that takes a
// key asks it (MCP at /api/mcp: "mcp"; A2A at /api/a2a: "a2a"; the REST API will add its own).
export const API_KEY_SCOPES = ["mcp", "a2a"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_SCOPE_LABELS: Record<ApiKeyScope, string> = {
  mcp: "MCP: list and call the workflows offered as MCP tools (/api/mcp)",
  a2a: "A2A: send tasks to the workflows offered as A2A agents (/api/a2a)",
};

/** May a key with these scopes be used for `scope`? (null: a key without a list — yes.) */
export function keyAllowsScope(key: { scopes: readonly string[] | null }, scope: ApiKeyScope): boolean {
  return key.scopes === null || key.scopes.includes(scope);
}
