// Workflows offered to other agents: as tools on /api/mcp (Workflow.exposeMcp) and as A2A agents
// (Workflow.exposeA2a). Only published workflows are offered, at their latest version.
import { AppError } from "@/lib/contracts/app-errors";
import { type DbOrTx, prismaOf } from "./tx";

export type Exposure = "mcp" | "a2a";

export interface ExposedWorkflow {
  id: string;
  name: string;
  description: string;
  createdAt: Date;
  versionId: string;
  version: number;
  document: unknown;
}

const flag = (via: Exposure) => (via === "mcp" ? { exposeMcp: true } : { exposeA2a: true });

/** The workspace's workflows offered this way that have a published version (oldest first). */
export async function listExposedWorkflows(db: DbOrTx, workspaceId: string, via: Exposure): Promise<ExposedWorkflow[]> {
  const rows = await prismaOf(db).workflow.findMany({
    where: { workspaceId, deletedAt: null, ...flag(via) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      versions: {
        where: { draft: false },
        orderBy: { version: "desc" },
        take: 1,
        select: { id: true, version: true, document: true },
      },
    },
    take: 500,
  });
  return rows.flatMap((r) => {
    const v = r.versions[0];
    return v
      ? [
          {
            id: r.id,
            name: r.name,
            description: r.description,
            createdAt: r.createdAt,
            versionId: v.id,
            version: v.version,
            document: v.document,
          },
        ]
      : [];
  });
}

/** One offered workflow by id (null: no such workflow, not offered this way, or never published). */
export async function findExposedWorkflow(
  db: DbOrTx,
  workspaceId: string | null,
  id: string,
  via: Exposure,
): Promise<(ExposedWorkflow & { workspaceId: string }) | null> {
  const row = await prismaOf(db).workflow.findFirst({
    where: { id, deletedAt: null, ...(workspaceId ? { workspaceId } : {}), ...flag(via) },
    select: {
      id: true,
      workspaceId: true,
      name: true,
      description: true,
      createdAt: true,
      versions: {
        where: { draft: false },
        orderBy: { version: "desc" },
        take: 1,
        select: { id: true, version: true, document: true },
      },
    },
  });
  const v = row?.versions[0];
  if (!row || !v) return null;
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    name: row.name,
    description: row.description,
    createdAt: row.createdAt,
    versionId: v.id,
    version: v.version,
    document: v.document,
  };
}

export async function getExposure(
  db: DbOrTx,
  workspaceId: string,
  id: string,
): Promise<{ exposeMcp: boolean; exposeA2a: boolean }> {
  const row = await prismaOf(db).workflow.findFirst({
    where: { id, workspaceId, deletedAt: null },
    select: { exposeMcp: true, exposeA2a: true },
  });
  if (!row) throw new AppError("not_found:workflow");
  return row;
}

export async function setExposure(
  db: DbOrTx,
  workspaceId: string,
  id: string,
  change: { exposeMcp?: boolean; exposeA2a?: boolean },
): Promise<{ before: { exposeMcp: boolean; exposeA2a: boolean }; after: { exposeMcp: boolean; exposeA2a: boolean } }> {
  const before = await getExposure(db, workspaceId, id);
  const after = await prismaOf(db).workflow.update({
    where: { id },
    data: change,
    select: { exposeMcp: true, exposeA2a: true },
  });
  return { before, after };
}
