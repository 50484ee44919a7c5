// Separation of duties (a workspace setting, Workspace.settings.separationOfDuties): when on, the
// person who started a run, or published the workflow version it runs, cannot decide its
// approvals. A sub-workflow's run counts its parent runs' starters and publishers too (up to
// MAX_ANCESTORS levels). lib/use-cases/approvals/decide.ts enforces it on every path.
import type { Prisma } from "./generated/sqlite/client";
import { type DbOrTx, prismaOf } from "./tx";

const MAX_ANCESTORS = 10;

export function separationOfDutiesOf(settings: unknown): boolean {
  return (
    !!settings &&
    typeof settings === "object" &&
    !Array.isArray(settings) &&
    (settings as Record<string, unknown>).separationOfDuties === true
  );
}

export async function workspaceSeparationOfDuties(db: DbOrTx, workspaceId: string): Promise<boolean> {
  const ws = await prismaOf(db).workspace.findUnique({ where: { id: workspaceId }, select: { settings: true } });
  return separationOfDutiesOf(ws?.settings);
}

/** Turns the setting on or off, keeping the other settings. Returns the value before and after. */
export async function setWorkspaceSeparationOfDuties(
  db: DbOrTx,
  workspaceId: string,
  on: boolean,
): Promise<{ before: boolean; after: boolean }> {
  const p = prismaOf(db);
  const ws = await p.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { settings: true } });
  const current =
    ws.settings && typeof ws.settings === "object" && !Array.isArray(ws.settings)
      ? (ws.settings as Record<string, unknown>)
      : {};
  const next = { ...current, separationOfDuties: on };
  await p.workspace.update({ where: { id: workspaceId }, data: { settings: next as Prisma.InputJsonObject } });
  return { before: separationOfDutiesOf(current), after: on };
}

/** Who started the run (and its parent runs) and who published their versions. */
export async function runOriginators(
  db: DbOrTx,
  workspaceId: string,
  runId: string,
): Promise<{ startedBy: Set<string>; publishedBy: Set<string> }> {
  const p = prismaOf(db);
  const startedBy = new Set<string>();
  const publishedBy = new Set<string>();
  let next: string | null = runId;
  for (let depth = 0; next && depth <= MAX_ANCESTORS; depth++) {
    const run: {
      startedById: string | null;
      parentRunId: string | null;
      workflowVersion: { publishedById: string | null };
    } | null = await p.run.findFirst({
      where: { id: next, workspaceId },
      select: { startedById: true, parentRunId: true, workflowVersion: { select: { publishedById: true } } },
    });
    if (!run) break;
    if (run.startedById) startedBy.add(run.startedById);
    if (run.workflowVersion.publishedById) publishedBy.add(run.workflowVersion.publishedById);
    next = run.parentRunId;
  }
  return { startedBy, publishedBy };
}

/** The member who created an API key (its decisions count as theirs for separation of duties). */
export async function apiKeyCreatorId(db: DbOrTx, workspaceId: string, keyId: string): Promise<string | null> {
  const key = await prismaOf(db).apiKey.findFirst({ where: { id: keyId, workspaceId }, select: { createdById: true } });
  return key?.createdById ?? null;
}
