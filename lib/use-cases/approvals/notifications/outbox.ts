// Approval notifications through the outbox: in-app (stored, shown in the app), the workspace's
// webhook (JSON with a Slack-compatible `text`) and email to each assignee (with a signed,
// single-use link) when SMTP is configured. A periodic tick writes what is due (new approvals,
// escalations, reminders before the deadline) and delivers due messages with retries and
// exponential backoff. Message ids are deterministic (approval, escalation level, channel,
// recipient), so a tick that runs twice, or after a restart, never sends a message twice.

import { parseAssignees } from "@/lib/db/approvals";
import type { Db } from "@/lib/db/client";
import {
  approvalRecipients,
  claimDueOutbox,
  enqueueOutbox,
  existingOutboxIds,
  markOutboxFailed,
  markOutboxSent,
  markReminderSent,
  type OutboxRow,
  pendingApprovalsForNotify,
} from "@/lib/db/outbox";
import { createApprovalLinkToken } from "../link-token";
import { auditTimeouts } from "../timeouts";
import { type DeliveryConfig, notificationSettings } from "./settings";
import type { EmailMessage, Transports } from "./transports";

export const MAX_ATTEMPTS = 8;
export const BASE_BACKOFF_MS = 10_000;
export const MAX_BACKOFF_MS = 3_600_000;
/** How long a claimed message is reserved for one delivery attempt. */
export const DELIVERY_LEASE_MS = 60_000;

export function backoffMs(attempts: number): number {
  return Math.min(BASE_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
}

type PendingApproval = Awaited<ReturnType<typeof pendingApprovalsForNotify>>[number];
export type NotifyEvent = "requested" | "escalated" | "reminder" | "reassigned";

function messageText(event: NotifyEvent, a: PendingApproval, inboxUrl: string): string {
  const wf = a.run.workflow.name;
  const deadline = a.deadlineAt ? ` Deadline: ${a.deadlineAt.toISOString().replace("T", " ").slice(0, 16)} UTC.` : "";
  const lead =
    event === "reminder"
      ? "Reminder: an approval is still waiting"
      : event === "escalated"
        ? "An approval was escalated to you"
        : event === "reassigned"
          ? "An approval was reassigned"
          : a.kind === "budget"
            ? "A run hit its budget and needs approval"
            : a.kind === "guardrail"
              ? "A guardrail check failed and needs a decision"
              : "Approval needed";
  return `${lead}: *${a.title}* (${wf}).${deadline} <${inboxUrl}|Open in Switchboard>`;
}

/** Writes the messages for one approval event (idempotent per `key`). Returns how many were new. */
export async function enqueueApprovalMessages(
  db: Db,
  config: DeliveryConfig,
  approval: PendingApproval,
  event: NotifyEvent,
  key: string,
  now: Date,
): Promise<number> {
  const settings = notificationSettings(approval.workspace.settings);
  const inboxUrl = `${config.publicUrl}/inbox/${approval.id}`;
  const text = messageText(event, approval, inboxUrl);
  const assignees = parseAssignees(approval);
  const recipients = await approvalRecipients(db, approval.workspaceId, assignees);
  const base = `ntf-${approval.id}-${key}`;
  const summary = {
    id: approval.id,
    title: approval.title,
    kind: approval.kind,
    workflow: approval.run.workflow.name,
    runId: approval.runId,
    deadlineAt: approval.deadlineAt?.toISOString() ?? null,
    url: inboxUrl,
  };
  let created = 0;
  if (
    await enqueueOutbox(db, {
      id: `${base}-inapp`,
      workspaceId: approval.workspaceId,
      channel: "inapp",
      status: "sent",
      at: now,
      payload: { event, text, approval: summary, userIds: recipients.map((r) => r.id) },
    })
  )
    created++;
  if (settings.webhookUrl) {
    const ok = await enqueueOutbox(db, {
      id: `${base}-webhook`,
      workspaceId: approval.workspaceId,
      channel: "webhook",
      at: now,
      payload: { url: settings.webhookUrl, body: { text, event: `approval.${event}`, approval: summary } },
    });
    if (ok) created++;
  }
  if (settings.email && config.smtpUrl) {
    for (const user of recipients) {
      let link = "";
      if (config.linkSecret) {
        const token = createApprovalLinkToken(config.linkSecret, {
          approvalId: approval.id,
          workspaceId: approval.workspaceId,
          userId: user.id,
          expiresAt: new Date(
            Math.min(now.getTime() + config.linkTtlMs, approval.deadlineAt?.getTime() ?? Number.POSITIVE_INFINITY),
          ),
        });
        link = `${config.publicUrl}/approve/${token}`;
      }
      const message: EmailMessage = {
        to: user.email,
        subject: `${event === "reminder" ? "Reminder: " : ""}${approval.title} — ${approval.run.workflow.name}`,
        text: [
          text.replace(/<([^|>]+)\|[^>]+>/g, "$1").replace(/\*/g, ""),
          "",
          approval.details,
          "",
          `Open it in the inbox: ${inboxUrl}`,
          link ? `Or decide from this link (single use; it asks you to confirm): ${link}` : "",
        ]
          .filter((line, i, all) => line !== "" || all[i - 1] !== "")
          .join("\n"),
      };
      const ok = await enqueueOutbox(db, {
        id: `${base}-email-${user.id}`,
        workspaceId: approval.workspaceId,
        channel: "email",
        at: now,
        payload: message,
      });
      if (ok) created++;
    }
  }
  return created;
}

/** Notifies about one pending approval now (e.g. after a reassignment); `key` makes it idempotent. */
export async function notifyApproval(
  db: Db,
  config: DeliveryConfig,
  approvalId: string,
  event: NotifyEvent,
  key: string,
  now: Date = new Date(),
): Promise<number> {
  const [approval] = await pendingApprovalsForNotify(db, 1, approvalId);
  return approval ? enqueueApprovalMessages(db, config, approval, event, key, now) : 0;
}

/** When the reminder for an approval is due: reminderBeforeMs before the deadline, at most half the window. */
export function reminderAt(
  approval: { createdAt: Date; deadlineAt: Date | null },
  reminderBeforeMs: number,
): Date | null {
  if (!approval.deadlineAt) return null;
  const window = approval.deadlineAt.getTime() - approval.createdAt.getTime();
  const before = Math.min(reminderBeforeMs, Math.max(0, window / 2));
  return new Date(approval.deadlineAt.getTime() - before);
}

/** Writes what is due now: first notification per escalation level, and the reminder. */
export async function scheduleApprovalNotifications(
  db: Db,
  config: DeliveryConfig,
  now: Date = new Date(),
): Promise<{ requested: number; reminders: number }> {
  const pending = await pendingApprovalsForNotify(db);
  const requestKey = (a: PendingApproval) => `ntf-${a.id}-L${a.escalationLevel}-inapp`;
  // One reminder per escalation level (a new level has a new deadline).
  const reminderKey = (a: PendingApproval) => `ntf-${a.id}-L${a.escalationLevel}-reminder-inapp`;
  const known = await existingOutboxIds(db, [...pending.map(requestKey), ...pending.map(reminderKey)]);
  let requested = 0;
  let reminders = 0;
  for (const a of pending) {
    if (!known.has(requestKey(a))) {
      const event = a.escalationLevel > 0 ? "escalated" : "requested";
      if ((await enqueueApprovalMessages(db, config, a, event, `L${a.escalationLevel}`, now)) > 0) requested++;
    }
    const settings = notificationSettings(a.workspace.settings);
    const at = reminderAt(a, settings.reminderBeforeMs);
    if (at && !known.has(reminderKey(a)) && now >= at && a.deadlineAt && now < a.deadlineAt) {
      // Message ids are deterministic, so two workers racing here still send each message once.
      if ((await enqueueApprovalMessages(db, config, a, "reminder", `L${a.escalationLevel}-reminder`, now)) > 0) {
        await markReminderSent(db, a.id, now);
        reminders++;
      }
    }
  }
  return { requested, reminders };
}

async function send(row: OutboxRow, transports: Transports): Promise<void> {
  const payload = row.payload as Record<string, unknown>;
  if (row.channel === "webhook") {
    if (typeof payload.url !== "string") throw new Error("Webhook message without a url");
    await transports.webhook(payload.url, payload.body, { workspaceId: row.workspaceId });
    return;
  }
  if (row.channel === "email") {
    if (!transports.email) throw new Error("SMTP is not configured (set SMTP_URL)");
    await transports.email(payload as unknown as EmailMessage);
    return;
  }
  // in-app messages are stored as sent; nothing to deliver
}

/** Delivers due messages once. Failed ones are retried with exponential backoff, then marked failed. */
export async function deliverOutbox(
  db: Db,
  transports: Transports,
  now: Date = new Date(),
  limit = 50,
): Promise<{ sent: number; failed: number; retrying: number }> {
  const claimed = await claimDueOutbox(db, now, { leaseMs: DELIVERY_LEASE_MS, limit, channels: ["webhook", "email"] });
  let sent = 0;
  let failed = 0;
  let retrying = 0;
  await Promise.all(
    claimed.map(async (row) => {
      try {
        await send(row, transports);
        await markOutboxSent(db, row, new Date(Math.max(now.getTime(), Date.now())));
        sent++;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (row.attempts >= MAX_ATTEMPTS) {
          await markOutboxFailed(db, row, message, null);
          failed++;
        } else {
          await markOutboxFailed(db, row, message, new Date(now.getTime() + backoffMs(row.attempts)));
          retrying++;
        }
      }
    }),
  );
  return { sent, failed, retrying };
}

export type NotificationWorker = { tick(now?: Date): Promise<void>; stop(): void };

/** Runs schedule + deliver every `intervalMs` (and once at start). */
export function startNotificationWorker(options: {
  db: Db;
  config: DeliveryConfig;
  transports: Transports;
  intervalMs?: number;
  onError?: (error: unknown) => void;
}): NotificationWorker {
  let running = false;
  let stopped = false;
  const tick = async (now: Date = new Date()) => {
    if (running || stopped) return;
    running = true;
    try {
      await scheduleApprovalNotifications(options.db, options.config, now);
      await deliverOutbox(options.db, options.transports, now);
      // Timeouts applied by any process's deadline sweep get their audit entries here.
      await auditTimeouts(options.db, now);
    } catch (error) {
      (options.onError ?? ((e) => console.error("[switchboard] notifications:", e)))(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs ?? 5_000);
  timer.unref?.();
  void tick();
  return {
    tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
