// One typed application error, and the result shape of every server action. Every refusal or
// failure that may reach a browser or an API client is an AppError with a code from one union;
// toActionResult() and toResponse() turn any thrown value into a safe result. Unknown errors
// (database, engine, bugs) are logged with their cause and reach the client only as `internal`
// with a reference id.
//
// Isomorphic on purpose: lib/db, the use cases, the CLI and the server throw AppError; client
// components import ActionResult/ActionError from here (no Node-only imports in this module).
// A field problem is an `Issue` ({ path, message }), the same type the engine reports.
import { ZodError } from "zod";
import { type Issue, isInputValidationError } from "./errors";

export type { Issue } from "./errors";

export const APP_RESOURCES = [
  "workflow",
  "version",
  "run",
  "step",
  "approval",
  "audit",
  "member",
  "invitation",
  "user",
  "workspace",
  "settings",
  "credential",
  "apikey",
  "session",
  "input",
  "webhook",
  "schedule",
  "template",
  "document",
  "node",
  "budget",
  "mcpserver",
  "provider",
  "price",
  "egress",
] as const;
export type AppResource = (typeof APP_RESOURCES)[number];

export type AppErrorCode =
  | "unauthenticated"
  | "rate_limited"
  /** a request body over the route's size limit (413) */
  | "too_large"
  | "internal"
  | `forbidden:${AppResource}`
  | `not_found:${AppResource}`
  | `conflict:${AppResource}`
  | `invalid:${AppResource}`;

export type ActionError = { code: string; message: string; fieldErrors?: Issue[] };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

const NOUNS: Record<AppResource, string> = {
  workflow: "workflow",
  version: "workflow version",
  run: "run",
  step: "step",
  approval: "approval",
  audit: "audit trail",
  member: "member",
  invitation: "invitation",
  user: "user",
  workspace: "workspace",
  settings: "settings",
  credential: "credential",
  apikey: "API key",
  session: "session",
  input: "input",
  webhook: "webhook",
  schedule: "schedule",
  template: "template",
  document: "document",
  node: "node",
  budget: "budget",
  mcpserver: "MCP server",
  provider: "model provider",
  price: "model price",
  egress: "egress allow-list",
};

function split(code: AppErrorCode): { kind: string; resource?: AppResource } {
  const [kind, resource] = code.split(":") as [string, AppResource | undefined];
  return { kind, resource };
}

export function statusOf(code: AppErrorCode): number {
  switch (split(code).kind) {
    case "unauthenticated":
      return 401;
    case "forbidden":
      return 403;
    case "not_found":
      return 404;
    case "conflict":
      return 409;
    case "invalid":
      return 400;
    case "rate_limited":
      return 429;
    case "too_large":
      return 413;
    default:
      return 500;
  }
}

export function defaultMessage(code: AppErrorCode): string {
  const { kind, resource } = split(code);
  const noun = resource ? NOUNS[resource] : "item";
  switch (kind) {
    case "unauthenticated":
      return "Sign in to continue.";
    case "forbidden":
      return `You do not have permission to do that with this ${noun}.`;
    case "not_found":
      return `This ${noun} does not exist or you cannot see it.`;
    case "conflict":
      return `This ${noun} was changed in the meantime. Reload and try again.`;
    case "invalid":
      return `Some fields of this ${noun} are not valid.`;
    case "rate_limited":
      return "Too many attempts. Try again later.";
    case "too_large":
      return "The request is too large.";
    default:
      return "Something went wrong. The error was logged.";
  }
}

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly status: number;
  readonly fieldErrors?: Issue[];
  readonly retryAfterSeconds?: number;

  /** `message` must be safe to show to the user; put internals in `cause`. */
  constructor(
    code: AppErrorCode,
    options: { message?: string; fieldErrors?: Issue[]; cause?: unknown; retryAfterSeconds?: number } = {},
  ) {
    super(options.message ?? defaultMessage(code), { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.status = statusOf(code);
    this.fieldErrors = options.fieldErrors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  toJSON(): ActionError {
    return {
      code: this.code,
      message: this.message,
      ...(this.fieldErrors?.length ? { fieldErrors: this.fieldErrors } : {}),
    };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Issues from a zod error: one per zod issue, path joined with dots ("" for the root). */
export function issuesFromZod(error: ZodError, prefix = ""): Issue[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter(Boolean).join("."),
    message: issue.message,
  }));
}

/** An `invalid:<resource>` error whose message names the first bad field. */
export function invalidFromZod(error: ZodError, resource: AppResource = "input"): AppError {
  const fieldErrors = issuesFromZod(error);
  const first = fieldErrors[0];
  const message = first ? `${first.path || NOUNS[resource]}: ${first.message}` : defaultMessage(`invalid:${resource}`);
  return new AppError(`invalid:${resource}`, { message, fieldErrors, cause: error });
}

function referenceId(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Turns anything thrown into an AppError; unknown errors are logged (with cause) as `internal`. */
export function toAppError(error: unknown, log: (message: string, error: unknown) => void = defaultLog): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return invalidFromZod(error);
  // A run input the workflow's input schema refuses: the caller's fault, naming the field (400).
  if (isInputValidationError(error))
    return new AppError("invalid:input", { message: error.message, fieldErrors: error.issues, cause: error });
  const ref = referenceId();
  log(`[switchboard] internal error ref=${ref}`, error);
  return new AppError("internal", {
    message: `Something went wrong (reference ${ref}). The error was logged.`,
    cause: error,
  });
}

function defaultLog(message: string, error: unknown) {
  console.error(message, error);
}

export function toActionResult(error: unknown): { ok: false; error: ActionError } {
  return { ok: false, error: toAppError(error).toJSON() };
}

/** A JSON error response: `{ error: { code, message, fieldErrors? } }` with the code's status. */
export function toResponse(error: unknown): Response {
  const appError = toAppError(error);
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (appError.retryAfterSeconds) headers["retry-after"] = String(appError.retryAfterSeconds);
  return Response.json({ error: appError.toJSON() }, { status: appError.status, headers });
}

export function ok<T>(data: T): { ok: true; data: T } {
  return { ok: true, data };
}
