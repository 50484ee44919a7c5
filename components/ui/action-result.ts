// Client-safe copies of the action result types (lib/server/errors.ts defines the same shapes;
// client components may not import lib/server, see scripts/check-imports.mjs).
export type ActionFieldError = { path: string; message: string };
export type ActionError = { code: string; message: string; fieldErrors?: ActionFieldError[] };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };
