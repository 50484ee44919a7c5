// Workspaces: the unit of tenancy. Every other row belongs to one.
import { AppError } from "../server/errors";
import type { DbClient } from "./audit";

export type WorkspaceView = { id: string; name: string; slug: string; createdAt: Date };

const VIEW = { id: true, name: true, slug: true, createdAt: true } as const;

export async function getWorkspace(db: DbClient, id: string): Promise<WorkspaceView> {
  const ws = await db.workspace.findUnique({ where: { id }, select: VIEW });
  if (!ws) throw new AppError("not_found:workspace");
  return ws;
}

export async function findWorkspaceBySlug(db: DbClient, slug: string): Promise<WorkspaceView | null> {
  return db.workspace.findUnique({ where: { slug }, select: VIEW });
}

export async function createWorkspace(db: DbClient, input: { name: string; slug: string }): Promise<WorkspaceView> {
  return db.workspace.create({ data: input, select: VIEW });
}

export async function renameWorkspace(
  db: DbClient,
  input: { id: string; name: string },
): Promise<{ before: string; after: WorkspaceView }> {
  const before = await getWorkspace(db, input.id);
  const after = await db.workspace.update({ where: { id: input.id }, data: { name: input.name }, select: VIEW });
  return { before: before.name, after };
}
