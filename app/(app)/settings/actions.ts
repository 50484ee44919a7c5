"use server";
// Settings actions: workspace name, run history retention, members, API keys. One-liners over
// lib/use-cases/settings through authedAction (session, role, workspace, zod); each use case
// writes its audit entry in the same transaction as the change.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { RoleSchema } from "@/lib/auth/roles";
import { isSafeText, UNSAFE_TEXT_MESSAGE } from "@/lib/contracts/text";
import { RetentionDaysInputSchema } from "@/lib/db/retention";
import { authedAction } from "@/lib/server/action";
import {
  addMember,
  CreateApiKeyInput,
  changeRole,
  createApiKey,
  removeMember,
  renameWorkspace,
  revokeApiKey,
  setRetention,
} from "@/lib/use-cases/settings";

const name = (label: string, max = 100) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`)
    .refine(isSafeText, UNSAFE_TEXT_MESSAGE);

/** Runs the use case, then tells Next which pages show what changed. */
const thenRevalidate =
  (path: string, type?: "layout") =>
  <T>(result: T): T => {
    revalidatePath(path, type);
    return result;
  };

export const renameWorkspaceAction = authedAction(
  { action: "settings.manage", input: z.object({ name: name("Workspace name") }) },
  ({ actor, input, db }) => renameWorkspace(db, actor, input).then(thenRevalidate("/", "layout")),
);

/** "Keep run history for N days" (null: keep forever). The runner prunes about daily. */
export const setRetentionAction = authedAction(
  { action: "settings.manage", input: z.object({ retentionDays: RetentionDaysInputSchema }) },
  ({ actor, input, db }) => setRetention(db, actor, input).then(thenRevalidate("/settings")),
);

export const addMemberAction = authedAction(
  {
    action: "member.manage",
    input: z.object({
      email: z.email("Enter a valid email address").trim().toLowerCase().max(320),
      name: name("Name"),
      role: RoleSchema,
    }),
  },
  ({ actor, input, db }) => addMember(db, actor, input).then(thenRevalidate("/settings")),
);

export const changeMemberRoleAction = authedAction(
  { action: "member.manage", input: z.object({ userId: z.string().min(1), role: RoleSchema }) },
  ({ actor, input, db }) => changeRole(db, actor, input).then(thenRevalidate("/", "layout")),
);

export const removeMemberAction = authedAction(
  { action: "member.manage", input: z.object({ userId: z.string().min(1) }) },
  ({ actor, input, db }) => removeMember(db, actor, input).then(thenRevalidate("/settings")),
);

export const createApiKeyAction = authedAction(
  {
    action: "apikey.manage",
    input: z.object({
      name: name("Key name", 80),
      role: RoleSchema,
      scopes: CreateApiKeyInput.shape.scopes,
      expiresInDays: CreateApiKeyInput.shape.expiresInDays,
    }),
  },
  ({ actor, input, db }) => createApiKey(db, actor, input).then(thenRevalidate("/settings")),
);

export const revokeApiKeyAction = authedAction(
  { action: "apikey.manage", input: z.object({ id: z.string().min(1) }) },
  ({ actor, input, db }) => revokeApiKey(db, actor, input).then(thenRevalidate("/settings")),
);
