"use server";
// Settings actions: workspace name, run history retention, members, API keys. Each goes through authedAction (session,
// role, workspace, zod) and writes its audit entry in the same transaction as the change.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { RoleSchema } from "@/lib/auth/roles";
import { createApiKey, revokeApiKey } from "@/lib/db/api-keys";
import { recordAudit } from "@/lib/db/audit";
import { RetentionDaysInputSchema, setWorkspaceRetention } from "@/lib/db/retention";
import { addMember, changeMemberRole, removeMember } from "@/lib/db/users";
import { renameWorkspace } from "@/lib/db/workspaces";
import { authedAction } from "@/lib/server/action";

const name = (label: string, max = 100) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`);

export const renameWorkspaceAction = authedAction(
  { action: "settings.manage", input: z.object({ name: name("Workspace name") }) },
  async ({ actor, input, db }) => {
    const result = await db.prisma.$transaction(async (tx) => {
      const { before, after } = await renameWorkspace(tx, { id: actor.workspaceId, name: input.name });
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "workspace.renamed",
        targetType: "workspace",
        targetId: actor.workspaceId,
        summary: `Renamed the workspace from “${before}” to “${after.name}”`,
        data: { from: before, to: after.name },
      });
      return after;
    });
    revalidatePath("/", "layout");
    return { name: result.name };
  },
);

/** "Keep run history for N days" (null: keep forever). The runner prunes about daily. */
export const setRetentionAction = authedAction(
  { action: "settings.manage", input: z.object({ retentionDays: RetentionDaysInputSchema }) },
  async ({ actor, input, db }) => {
    const result = await db.prisma.$transaction(async (tx) => {
      const change = await setWorkspaceRetention(tx, actor.workspaceId, input.retentionDays);
      const says = (d: number | null) => (d === null ? "forever" : `${d} days`);
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "workspace.retention_changed",
        targetType: "workspace",
        targetId: actor.workspaceId,
        summary: `Run history kept ${says(change.after)} (was ${says(change.before)})`,
        data: { from: change.before, to: change.after },
      });
      return change;
    });
    revalidatePath("/settings");
    return { retentionDays: result.after };
  },
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
  async ({ actor, input, db }) => {
    const password = generatePassword();
    const passwordHash = await hashPassword(password);
    const { member, createdUser } = await db.prisma.$transaction(async (tx) => {
      const added = await addMember(tx, { workspaceId: actor.workspaceId, ...input, passwordHash });
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "member.added",
        targetType: "member",
        targetId: added.member.userId,
        summary: `Added ${added.member.email} as ${input.role}`,
        data: { email: added.member.email, role: input.role, newUser: added.createdUser },
      });
      return added;
    });
    revalidatePath("/settings");
    // The one-time password exists only in this response; existing users keep their own.
    return { email: member.email, role: member.role, password: createdUser ? password : null };
  },
);

export const changeMemberRoleAction = authedAction(
  { action: "member.manage", input: z.object({ userId: z.string().min(1), role: RoleSchema }) },
  async ({ actor, input, db }) => {
    const change = await changeMemberRole(db.prisma, { workspaceId: actor.workspaceId, ...input }, (tx, c) =>
      recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "member.role_changed",
        targetType: "member",
        targetId: input.userId,
        summary: `Changed ${c.user.email} from ${c.from} to ${c.to}`,
        data: { email: c.user.email, from: c.from, to: c.to },
      }),
    );
    revalidatePath("/", "layout");
    return { userId: input.userId, role: change.to };
  },
);

export const removeMemberAction = authedAction(
  { action: "member.manage", input: z.object({ userId: z.string().min(1) }) },
  async ({ actor, input, db }) => {
    const removed = await removeMember(db.prisma, { workspaceId: actor.workspaceId, userId: input.userId }, (tx, r) =>
      recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "member.removed",
        targetType: "member",
        targetId: input.userId,
        summary: `Removed ${r.user.email} (${r.role})`,
        data: { email: r.user.email, role: r.role },
      }),
    );
    revalidatePath("/settings");
    return { email: removed.user.email };
  },
);

export const createApiKeyAction = authedAction(
  { action: "apikey.manage", input: z.object({ name: name("Key name", 80), role: RoleSchema }) },
  async ({ actor, input, db }) => {
    const created = await db.prisma.$transaction(async (tx) => {
      const result = await createApiKey(tx, {
        workspaceId: actor.workspaceId,
        name: input.name,
        role: input.role,
        createdById: actor.userId,
      });
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "apikey.created",
        targetType: "apikey",
        targetId: result.apiKey.id,
        summary: `Created API key “${input.name}” (${input.role})`,
        data: { name: input.name, role: input.role, prefix: result.apiKey.prefix },
      });
      return result;
    });
    revalidatePath("/settings");
    return { id: created.apiKey.id, name: created.apiKey.name, key: created.key };
  },
);

export const revokeApiKeyAction = authedAction(
  { action: "apikey.manage", input: z.object({ id: z.string().min(1) }) },
  async ({ actor, input, db }) => {
    const revoked = await db.prisma.$transaction(async (tx) => {
      const key = await revokeApiKey(tx, { workspaceId: actor.workspaceId, id: input.id });
      await recordAudit(tx, {
        workspaceId: actor.workspaceId,
        actor,
        action: "apikey.revoked",
        targetType: "apikey",
        targetId: key.id,
        summary: `Revoked API key “${key.name}”`,
        data: { name: key.name, prefix: key.prefix },
      });
      return key;
    });
    revalidatePath("/settings");
    return { id: revoked.id };
  },
);
