"use server";
// Settings actions: workspace name, run history retention, members, API keys. One-liners over
// lib/use-cases/settings through authedAction (session, role, workspace, zod); each use case
// writes its audit entry in the same transaction as the change.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { RoleSchema } from "@/lib/auth/roles";
import {
  checkThrottle,
  clearThrottle,
  formatRetryAfter,
  PAIR_POLICY,
  recordFailure,
  type ThrottleKey,
} from "@/lib/auth/throttle";
import { AppError } from "@/lib/contracts/app-errors";
import { isSafeText, UNSAFE_TEXT_MESSAGE } from "@/lib/contracts/text";
import { RetentionDaysInputSchema } from "@/lib/db/retention";
import { authedAction } from "@/lib/server/action";
import {
  ChangePasswordInput,
  CreateApiKeyInput,
  changePassword,
  changeRole,
  createApiKey,
  InviteInput,
  inviteMember,
  ResetMemberPasswordInput,
  removeMember,
  renameWorkspace,
  resetMemberPassword,
  revokeApiKey,
  revokeInvitation,
  setRetention,
  setSeparationOfDuties,
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

/** Invites an e-mail with a role; the answer is the same whether or not the e-mail has an account. */
export const inviteMemberAction = authedAction(
  { action: "member.manage", input: InviteInput },
  ({ actor, input, db }) => inviteMember(db, actor, input).then(thenRevalidate("/settings")),
);

export const revokeInvitationAction = authedAction(
  { action: "member.manage", input: z.object({ id: z.string().min(1).max(100) }) },
  ({ actor, input, db }) => revokeInvitation(db, actor, input).then(thenRevalidate("/settings")),
);

/** Separation of duties: a run's starter (or its version's publisher) cannot decide its approvals. */
export const setSeparationOfDutiesAction = authedAction(
  { action: "settings.manage", input: z.object({ enabled: z.boolean() }) },
  ({ actor, input, db }) => setSeparationOfDuties(db, actor, input).then(thenRevalidate("/settings")),
);

/**
 * Your own password: the current one is required; your other sessions end. Wrong current
 * passwords are throttled per session (a stolen session cannot guess freely, nor hold up its
 * owner's other sessions): after 5, each try waits 2 s × 2^n, at most 15 minutes.
 */
export const changePasswordAction = authedAction(
  { action: "account.manage", input: ChangePasswordInput },
  ({ actor, input, db }) => {
    const keys: ThrottleKey[] = [
      { key: `password-change:${actor.sessionId ?? actor.userId}`, policy: PAIR_POLICY, mode: "refuse" },
    ];
    return changePassword(db, actor, input, {
      async check() {
        const verdict = await checkThrottle(db, keys);
        if (!verdict.allowed)
          throw new AppError("rate_limited", {
            message: `Too many wrong current passwords. Wait ${formatRetryAfter(verdict.retryAfterSeconds)} and try again.`,
            retryAfterSeconds: verdict.retryAfterSeconds,
          });
      },
      failed: () => recordFailure(db, keys),
      succeeded: () => clearThrottle(db, keys[0]?.key ?? ""),
    });
  },
);

export const changeMemberRoleAction = authedAction(
  { action: "member.manage", input: z.object({ userId: z.string().min(1), role: RoleSchema }) },
  ({ actor, input, db }) => changeRole(db, actor, input).then(thenRevalidate("/", "layout")),
);

export const removeMemberAction = authedAction(
  { action: "member.manage", input: z.object({ userId: z.string().min(1) }) },
  ({ actor, input, db }) => removeMember(db, actor, input).then(thenRevalidate("/settings")),
);

/**
 * A member's forgotten password: a new one is generated and shown once to the admin, who hands it
 * over; every session of the member ends. Not oneself, not an account that is also a member of
 * another workspace (the use case refuses both; an operator has `switchboard users reset-password`).
 */
export const resetMemberPasswordAction = authedAction(
  { action: "member.manage", input: ResetMemberPasswordInput },
  ({ actor, input, db }) => resetMemberPassword(db, actor, input),
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
