"use server";
import { z } from "zod";
import { countInboxFor } from "@/lib/db/inbox-count";
import { authedAction } from "@/lib/server/action";

/** The navigation's inbox badge: approvals waiting for the signed-in user. */
export const inboxCountAction = authedAction(
  { action: "approval.read", input: z.object({}).strict() },
  async ({ actor, db }) => countInboxFor(db, actor),
);
