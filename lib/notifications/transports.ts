// How messages leave: an HTTP POST for webhooks, SMTP (nodemailer) for email.
import type { DeliveryConfig } from "./settings";

export type EmailMessage = { to: string; subject: string; text: string; html?: string };

export interface Transports {
  webhook(url: string, body: unknown): Promise<void>;
  /** absent when SMTP is not configured */
  email?: (message: EmailMessage) => Promise<void>;
}

export function webhookTransport(timeoutMs = 10_000): Transports["webhook"] {
  return async (url, body) => {
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

export async function defaultTransports(config: Pick<DeliveryConfig, "smtpUrl" | "smtpFrom">): Promise<Transports> {
  return { webhook: webhookTransport(), email: await smtpTransport(config) };
}
