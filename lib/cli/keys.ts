// `switchboard keys create` and `switchboard workflows import`: API keys and workflow documents
// from a terminal, on the embedded demo workspace (or `--workspace SLUG`). The command line acts
// as an administrator (whoever runs it can read the database anyway); the keys it creates belong
// to no person (they are not revoked when a member leaves). Thin layers over lib/use-cases.
import { readFileSync } from "node:fs";
import type { Actor } from "@/lib/auth/policy";
import { ROLES, type Role } from "@/lib/auth/roles";
import { API_KEY_SCOPES } from "@/lib/auth/scopes";
import { AppError } from "@/lib/contracts/app-errors";
import { loadSecrets } from "../auth/secrets";
import { cliWorkspace, loadPublishedVersion } from "../db/workflows-store";
import { findWorkspaceBySlug } from "../db/workspaces";
import { readEnv } from "../env";
import { createHost, type Host } from "../host";
import { createApiKey } from "../use-cases/settings/api-keys";
import { webhookUrlOf } from "../use-cases/triggers/webhooks";
import { importWorkflowAndPublish } from "../use-cases/workflows/api";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";
import { printJson } from "./use-case-host";

async function asCliAdmin<T>(
  ctx: CliContext,
  slug: string | undefined,
  fn: (host: Host, actor: Actor) => Promise<T>,
): Promise<T> {
  const host = await createHost({ role: "cli", target: ctx.target, log: (line) => ctx.io.stderr(`${line}\n`) });
  ctx.onInterrupt?.(() => host.close());
  try {
    const ws = slug ? await findWorkspaceBySlug(host.db, slug) : await cliWorkspace(host.db);
    if (!ws) throw new CliError(`There is no workspace with the slug "${slug}".`, EXIT.badInput);
    const actor: Actor = { userId: "cli", email: "", name: "cli", workspaceId: ws.id, role: "admin", via: "cli" };
    return await fn(host, actor);
  } catch (error) {
    // Refusals of the use cases are bad input (exit 2), each field named.
    if (error instanceof AppError && error.status < 500)
      throw new CliError(error.message, EXIT.badInput, error.fieldErrors ?? []);
    throw error;
  } finally {
    await host.close();
  }
}

export interface KeysCreateOptions {
  name: string;
  scopes: string;
  role?: string;
  expires?: string;
  workspace?: string;
  json?: boolean;
}

export async function keysCreateCommand(ctx: CliContext, opts: KeysCreateOptions): Promise<number> {
  const scopes = opts.scopes
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0)
    throw new CliError(
      `--scopes: ${unknown.length ? `unknown scope ${unknown.map((s) => `"${s}"`).join(", ")}` : "give at least one scope"}; use ${API_KEY_SCOPES.join(", ")}.`,
      EXIT.badInput,
    );
  const role = (opts.role ?? "editor") as Role;
  if (!ROLES.includes(role)) throw new CliError(`--role: use ${ROLES.join(", ")}.`, EXIT.badInput);
  let expiresInDays: number | undefined;
  if (opts.expires !== undefined) {
    expiresInDays = Number(opts.expires);
    if (!Number.isInteger(expiresInDays) || expiresInDays < 1 || expiresInDays > 3650)
      throw new CliError("--expires: a whole number of days from 1 to 3650.", EXIT.badInput);
  }
  return asCliAdmin(ctx, opts.workspace, async (host, actor) => {
    const created = await createApiKey(host.db, actor, { name: opts.name, role, scopes, expiresInDays });
    if (opts.json) printJson(ctx, created);
    else
      ctx.io.stdout(
        `${created.key}\n\nCreated the API key “${created.name}” (${created.role}; ${created.scopes?.join(", ")}${created.expiresAt ? `; expires ${created.expiresAt.slice(0, 10)}` : ""}).\nThis is the only time the key is shown: store it now. Send it as "Authorization: Bearer <key>".\n`,
      );
    return EXIT.ok;
  });
}

export interface WorkflowsImportOptions {
  publish?: boolean;
  workspace?: string;
  json?: boolean;
}

/** Where webhook URLs point: SWITCHBOARD_PUBLIC_URL, else NEXTAUTH_URL, else http://localhost:3000. */
function publicBaseUrl(): string {
  const env = readEnv();
  return env.SWITCHBOARD_PUBLIC_URL ?? env.NEXTAUTH_URL ?? "http://localhost:3000";
}

export async function workflowsImportCommand(
  ctx: CliContext,
  file: string,
  opts: WorkflowsImportOptions,
): Promise<number> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new CliError(`Cannot read ${file}: ${(error as Error).message}`, EXIT.badInput);
  }
  return asCliAdmin(ctx, opts.workspace, async (host, actor) => {
    const scope = { workspaceId: actor.workspaceId, actor: { label: "cli" } };
    const imported = await importWorkflowAndPublish(host.db, scope, { document: text, publish: Boolean(opts.publish) });
    let webhookUrl: string | null = null;
    if (imported.version !== null) {
      const published = await loadPublishedVersion(host.db, actor.workspaceId, imported.id, imported.version);
      webhookUrl = published
        ? webhookUrlOf(publicBaseUrl(), loadSecrets().SWITCHBOARD_SECRET_KEY, { id: imported.id }, published.document)
        : null;
    }
    if (opts.json) printJson(ctx, { ...imported, webhookUrl });
    else {
      ctx.io.stdout(`${imported.id}\n`);
      ctx.io.stderr(
        `Imported “${imported.name}”${imported.version !== null ? ` and published version ${imported.version}` : " (draft; publish it to run it from the API)"}.\n`,
      );
      if (webhookUrl) ctx.io.stdout(`${webhookUrl}\n`);
    }
    return EXIT.ok;
  });
}
