// Workspaces: the unit of tenancy. Every other row belongs to one.
import { AppError } from "@/lib/contracts/app-errors";
import { type DbOrTx, prismaOf } from "./tx";

export type WorkspaceView = { id: string; name: string; slug: string; createdAt: Date };

const VIEW = { id: true, name: true, slug: true, createdAt: true } as const;

export async function getWorkspace(db: DbOrTx, id: string): Promise<WorkspaceView> {
  const ws = await prismaOf(db).workspace.findUnique({ where: { id }, select: VIEW });
  if (!ws) throw new AppError("not_found:workspace");
  return ws;
}

export async function findWorkspaceBySlug(db: DbOrTx, slug: string): Promise<WorkspaceView | null> {
  return prismaOf(db).workspace.findUnique({ where: { slug }, select: VIEW });
}

export async function createWorkspace(db: DbOrTx, input: { name: string; slug: string }): Promise<WorkspaceView> {
  return prismaOf(db).workspace.create({ data: input, select: VIEW });
}

export async function renameWorkspace(
  db: DbOrTx,
  input: { id: string; name: string },
): Promise<{ before: string; after: WorkspaceView }> {
  const before = await getWorkspace(db, input.id);
  const after = await prismaOf(db).workspace.update({
    where: { id: input.id },
    data: { name: input.name },
    select: VIEW,
  });
  return { before: before.name, after };
}

/** The workspace's settings JSON (budgets, retention, notifications), or null when there is none. */
export async function getWorkspaceSettings(db: DbOrTx, id: string): Promise<unknown> {
  const ws = await prismaOf(db).workspace.findUnique({ where: { id }, select: { settings: true } });
  return ws?.settings ?? null;
}
