// What a workspace configures for its outbound calls besides credentials: its revision counter
// and its egress allow-list (kept in Workspace.settings.egress). Every change to a workspace's
// model providers, prices, credentials or allow-list bumps Workspace.configRevision in the same
// transaction, so each process's cached copy of them (lib/use-cases/models/platform.ts) notices
// and reloads.
import { z } from "zod";
import type { Prisma } from "./generated/sqlite/client";
import { type DbOrTx, prismaOf } from "./tx";

export async function bumpConfigRevision(db: DbOrTx, workspaceId: string): Promise<number> {
  const row = await prismaOf(db).workspace.update({
    where: { id: workspaceId },
    data: { configRevision: { increment: 1 } },
    select: { configRevision: true },
  });
  return row.configRevision;
}

/** The workspace's config revision and settings JSON in one read; null when there is no such workspace. */
export async function workspaceConfigHead(
  db: DbOrTx,
  workspaceId: string,
): Promise<{ revision: number; settings: unknown } | null> {
  const row = await prismaOf(db).workspace.findUnique({
    where: { id: workspaceId },
    select: { configRevision: true, settings: true },
  });
  return row ? { revision: row.configRevision, settings: row.settings } : null;
}

/** The egress part of Workspace.settings: hosts (`host` or `host:port`) that may be on private addresses. */
export const EgressSettingsSchema = z.object({
  allowHosts: z.array(z.string().min(1).max(300)).max(200).default([]),
});

export function egressAllowHostsOf(settings: unknown): string[] {
  const raw =
    settings && typeof settings === "object" && !Array.isArray(settings)
      ? (settings as Record<string, unknown>).egress
      : undefined;
  const parsed = EgressSettingsSchema.safeParse(raw ?? {});
  return parsed.success ? parsed.data.allowHosts : [];
}

/** Replaces the allow-list (other settings kept) and bumps the revision. Returns before and after. */
export async function setEgressAllowHosts(
  db: DbOrTx,
  workspaceId: string,
  hosts: string[],
): Promise<{ before: string[]; after: string[] }> {
  const p = prismaOf(db);
  const ws = await p.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } });
  const current =
    ws.settings && typeof ws.settings === "object" && !Array.isArray(ws.settings)
      ? (ws.settings as Record<string, unknown>)
      : {};
  const { egress: _previous, ...rest } = current;
  const next = hosts.length === 0 ? rest : { ...rest, egress: { allowHosts: hosts } };
  await p.workspace.update({
    where: { id: workspaceId },
    data: { settings: next as Prisma.InputJsonObject, configRevision: { increment: 1 } },
  });
  return { before: egressAllowHostsOf(current), after: hosts };
}
