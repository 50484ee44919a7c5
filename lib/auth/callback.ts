/** Only same-site paths; anything else falls back to /workflows (no open redirect after sign-in). */
export function safeCallbackPath(raw: string | undefined | null, fallback = "/workflows"): string {
  if (!raw?.startsWith("/") || raw.startsWith("//") || raw.startsWith("/\\") || raw.startsWith("/signin")) {
    return fallback;
  }
  return raw;
}
