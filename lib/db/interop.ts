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

/** What an offered workflow is read with: the workflow and its latest published version. */
const EXPOSED_SELECT = {
  id: true,
  workspaceId: true,
  name: true,
  description: true,
  createdAt: true,
  versions: {
    where: { draft: false },
    orderBy: { version: "desc" as const },
    take: 1,
    select: { id: true, version: true, document: true },
  },
};

type ExposedRow = {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  createdAt: Date;
  versions: { id: string; version: number; document: unknown }[];
};

/** The row as an offered workflow, or null when it was never published. */
function exposedOf(row: ExposedRow): (ExposedWorkflow & { workspaceId: string }) | null {
  const v = row.versions[0];
  if (!v) return null;
  const { versions: _, ...workflow } = row;
  return { ...workflow, versionId: v.id, version: v.version, document: v.document };
}

/** The workspace's workflows offered this way that have a published version (oldest first). */
export async function listExposedWorkflows(db: DbOrTx, workspaceId: string, via: Exposure): Promise<ExposedWorkflow[]> {
  const rows = await prismaOf(db).workflow.findMany({
    where: { workspaceId, deletedAt: null, ...flag(via) },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    select: EXPOSED_SELECT,
    take: 500,
  });
  return rows.flatMap((r) => {
    const exposed = exposedOf(r);
    return exposed ? [exposed] : [];
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
    select: EXPOSED_SELECT,
  });
  return row ? exposedOf(row) : null;
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
