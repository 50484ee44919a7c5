// Model providers and model prices configured per workspace (tables ModelProvider, ModelPrice).
// A provider's API key is a Credential named by `credential`, never a column here. Every change
// bumps the workspace's config revision (./workspace-config.ts) so cached gateways reload.
import { AppError } from "@/lib/contracts/app-errors";
import type { Prisma } from "./generated/sqlite/client";
import { type DbOrTx, prismaOf } from "./tx";
import { bumpConfigRevision } from "./workspace-config";

export interface ModelProviderRow {
  id: string;
  name: string;
  kind: string;
  baseUrl: string | null;
  credential: string | null;
  api: string | null;
  /** The provider's last listing (model ids), null when never listed. */
  models: string[] | null;
  modelsListedAt: Date | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ModelPriceRow {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  updatedAt: Date;
}

const SELECT = {
  id: true,
  name: true,
  kind: true,
  baseUrl: true,
  credential: true,
  api: true,
  models: true,
  modelsListedAt: true,
  createdById: true,
  createdAt: true,
  updatedAt: true,
} as const;

type Selected = Omit<ModelProviderRow, "models"> & { models: unknown };

const toRow = (r: Selected): ModelProviderRow => ({
  ...r,
  models: Array.isArray(r.models) ? r.models.filter((m): m is string => typeof m === "string") : null,
});

const isUniqueViolation = (e: unknown) => (e as { code?: string })?.code === "P2002";

export async function listModelProviders(db: DbOrTx, workspaceId: string): Promise<ModelProviderRow[]> {
  const rows = await prismaOf(db).modelProvider.findMany({
    where: { workspaceId },
    select: SELECT,
    orderBy: { name: "asc" },
  });
  return rows.map(toRow);
}

export async function getModelProvider(
  db: DbOrTx,
  workspaceId: string,
  name: string,
): Promise<ModelProviderRow | null> {
  const row = await prismaOf(db).modelProvider.findUnique({
    where: { workspaceId_name: { workspaceId, name } },
    select: SELECT,
  });
  return row ? toRow(row) : null;
}

export interface ModelProviderInput {
  name: string;
  kind: string;
  baseUrl?: string | null;
  credential?: string | null;
  api?: string | null;
}

/** Throws conflict:provider when the name is taken. */
export async function createModelProvider(
  db: DbOrTx,
  workspaceId: string,
  input: ModelProviderInput,
  createdById: string | null = null,
): Promise<ModelProviderRow> {
  try {
    const row = await prismaOf(db).modelProvider.create({
      data: {
        workspaceId,
        name: input.name,
        kind: input.kind,
        baseUrl: input.baseUrl ?? null,
        credential: input.credential ?? null,
        api: input.api ?? null,
        createdById,
      },
      select: SELECT,
    });
    await bumpConfigRevision(db, workspaceId);
    return toRow(row);
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AppError("conflict:provider", {
        message: `A model provider named "${input.name}" already exists.`,
        fieldErrors: [{ path: "name", message: "is already taken" }],
      });
    throw e;
  }
}

/** Changes base URL, credential or api (the name and kind stay). Throws not_found:provider. */
export async function updateModelProvider(
  db: DbOrTx,
  workspaceId: string,
  name: string,
  patch: Partial<Pick<ModelProviderInput, "baseUrl" | "credential" | "api">>,
): Promise<{ before: ModelProviderRow; after: ModelProviderRow }> {
  const before = await getModelProvider(db, workspaceId, name);
  if (!before) throw new AppError("not_found:provider");
  const data: Prisma.ModelProviderUpdateInput = {};
  if (patch.baseUrl !== undefined) data.baseUrl = patch.baseUrl;
  if (patch.credential !== undefined) data.credential = patch.credential;
  if (patch.api !== undefined) data.api = patch.api;
  const after = await prismaOf(db).modelProvider.update({ where: { id: before.id }, data, select: SELECT });
  await bumpConfigRevision(db, workspaceId);
  return { before, after: toRow(after) };
}

/** Removes the provider and its price overrides. Throws not_found:provider. */
export async function deleteModelProvider(db: DbOrTx, workspaceId: string, name: string): Promise<ModelProviderRow> {
  const found = await getModelProvider(db, workspaceId, name);
  if (!found) throw new AppError("not_found:provider");
  const p = prismaOf(db);
  await p.modelProvider.delete({ where: { id: found.id } });
  await p.modelPrice.deleteMany({ where: { workspaceId, model: { startsWith: `${name}:` } } });
  await bumpConfigRevision(db, workspaceId);
  return found;
}

/** Stores what the provider listed (no revision bump: listings do not change how calls are made). */
export async function setProviderModels(
  db: DbOrTx,
  workspaceId: string,
  name: string,
  models: string[],
  at: Date,
): Promise<void> {
  await prismaOf(db).modelProvider.updateMany({
    where: { workspaceId, name },
    data: { models: models as Prisma.InputJsonArray, modelsListedAt: at },
  });
}

export async function listModelPrices(db: DbOrTx, workspaceId: string): Promise<ModelPriceRow[]> {
  return prismaOf(db).modelPrice.findMany({
    where: { workspaceId },
    select: { model: true, inputPerMTok: true, outputPerMTok: true, updatedAt: true },
    orderBy: { model: "asc" },
  });
}

/** Sets (creates or replaces) a price; returns the previous one. */
export async function setModelPrice(
  db: DbOrTx,
  workspaceId: string,
  price: { model: string; inputPerMTok: number; outputPerMTok: number },
): Promise<{ before: { inputPerMTok: number; outputPerMTok: number } | null }> {
  const p = prismaOf(db);
  const key = { workspaceId_model: { workspaceId, model: price.model } };
  const before = await p.modelPrice.findUnique({
    where: key,
    select: { inputPerMTok: true, outputPerMTok: true },
  });
  const values = { inputPerMTok: price.inputPerMTok, outputPerMTok: price.outputPerMTok };
  await p.modelPrice.upsert({ where: key, create: { workspaceId, model: price.model, ...values }, update: values });
  await bumpConfigRevision(db, workspaceId);
  return { before };
}

/** Removes a price override (the default, if any, applies again). Returns whether there was one. */
export async function deleteModelPrice(db: DbOrTx, workspaceId: string, model: string): Promise<boolean> {
  const { count } = await prismaOf(db).modelPrice.deleteMany({ where: { workspaceId, model } });
  if (count > 0) await bumpConfigRevision(db, workspaceId);
  return count > 0;
}
