import "server-only";
// What the webhook routes need from this process's host.
import { loadSecrets } from "@/lib/auth/secrets";
import type { Host } from "@/lib/host";
import type { WebhookDeps } from "@/lib/use-cases/triggers/webhooks";

export function webhookDeps(host: Host): WebhookDeps {
  return {
    db: host.db,
    engine: host.engine,
    dispatcher: host.dispatcher,
    store: host.store,
    linkSecret: loadSecrets(host.env).SWITCHBOARD_SECRET_KEY,
    revealSecret: (workspaceId, name) => host.platform.credentialResolver.get(workspaceId, name),
    rateLimitPerMinute: host.env.SWITCHBOARD_WEBHOOK_RATE_LIMIT,
  };
}

/** Where this installation's URLs point: SWITCHBOARD_PUBLIC_URL, NEXTAUTH_URL, else the request's origin. */
export function publicBaseUrl(host: Host, request: Request): string {
  return host.env.SWITCHBOARD_PUBLIC_URL ?? host.env.NEXTAUTH_URL ?? new URL(request.url).origin;
}
