// How messages leave: an HTTP POST for webhooks, SMTP (nodemailer) for email. Webhooks go
// through the egress guard with the workspace's policy (its allow-list of private hosts) when the
// host gives `fetchFor` (lib/host.ts always does); without it (tests) they use the global fetch.
import type { DeliveryConfig } from "./settings";

export type EmailMessage = { to: string; subject: string; text: string; html?: string };

/** The fetch for a workspace's outbound webhook (the host's: the egress guard with its policy). */
export type WebhookFetchFor = (workspaceId: string | undefined) => Promise<typeof globalThis.fetch>;

export interface Transports {
  webhook(url: string, body: unknown, context?: { workspaceId?: string }): Promise<void>;
  /** absent when SMTP is not configured */
  email?: (message: EmailMessage) => Promise<void>;
}

export function webhookTransport(timeoutMs = 10_000, fetchFor?: WebhookFetchFor): Transports["webhook"] {
  return async (url, body, context) => {
    const fetch = fetchFor ? await fetchFor(context?.workspaceId) : globalThis.fetch;
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Switchboard-Notifier/1" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "error",
    });
    // Drain the body so the connection can be reused.
    await response.text().catch(() => "");
    if (!response.ok) throw new Error(`Webhook answered HTTP ${response.status}`);
  };
}

export async function smtpTransport(
  config: Pick<DeliveryConfig, "smtpUrl" | "smtpFrom">,
): Promise<Transports["email"]> {
  if (!config.smtpUrl) return undefined;
  const nodemailer = await import("nodemailer");
  const transporter = nodemailer.createTransport(config.smtpUrl);
  return async (message) => {
    await transporter.sendMail({ from: config.smtpFrom, ...message });
  };
}

export async function defaultTransports(
  config: Pick<DeliveryConfig, "smtpUrl" | "smtpFrom">,
  options: { fetchFor?: WebhookFetchFor } = {},
): Promise<Transports> {
  return { webhook: webhookTransport(10_000, options.fetchFor), email: await smtpTransport(config) };
}
