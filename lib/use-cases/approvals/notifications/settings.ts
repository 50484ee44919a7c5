// Per-workspace notification settings, kept in Workspace.settings.notifications (JSON):
//   { "notifications": { "webhookUrl": "https://hooks.slack.com/…", "email": true, "reminderBeforeMs": 3600000 } }
// and the installation's delivery configuration from the environment (SMTP_URL, SMTP_FROM,
// SWITCHBOARD_PUBLIC_URL for links).
import { z } from "zod";
import { type EnvSource, readEnv } from "@/lib/env";

export const NotificationSettings = z.object({
  /** outbound webhook (JSON with a Slack-compatible `text`); none when absent */
  webhookUrl: z.url({ protocol: /^https?$/ }).optional(),
  /** email the assignees (needs SMTP_URL); default true */
  email: z.boolean().default(true),
  /** remind this long before an approval's deadline; default 1 hour (or half the window if shorter) */
  reminderBeforeMs: z
    .number()
    .int()
    .positive()
    .max(30 * 86_400_000)
    .default(3_600_000),
});
export type NotificationSettings = z.infer<typeof NotificationSettings>;

export function notificationSettings(workspaceSettings: unknown): NotificationSettings {
  const raw =
    workspaceSettings && typeof workspaceSettings === "object" && "notifications" in workspaceSettings
      ? (workspaceSettings as { notifications: unknown }).notifications
      : {};
  const parsed = NotificationSettings.safeParse(raw ?? {});
  return parsed.success ? parsed.data : NotificationSettings.parse({});
}

export type DeliveryConfig = {
  /** smtp://user:pass@host:port or smtps://…; email is off without it */
  smtpUrl?: string;
  smtpFrom: string;
  /** where links in messages point, e.g. https://switchboard.example.com */
  publicUrl: string;
  /** secret that signs approval links */
  linkSecret?: string;
  linkTtlMs: number;
};

export function deliveryConfigFromEnv(source?: EnvSource): Omit<DeliveryConfig, "linkSecret"> {
  const env = readEnv(source);
  return {
    smtpUrl: env.SMTP_URL,
    smtpFrom: env.SMTP_FROM,
    publicUrl: (env.SWITCHBOARD_PUBLIC_URL ?? env.NEXTAUTH_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    linkTtlMs: 72 * 3_600_000,
  };
}
