// Wiring of the decision service (inbox, REST API, signed links) and of approval notifications,
// built once per process by its host (lib/host.ts). Building them starts nothing: the
// notification outbox worker runs only when the host's start() asks for it (the web server's
// instrumentation), never on first use and never from a page render.
import type { RunStore } from "@/lib/contracts/ports";
import type { Db } from "../db/client";
import type { Engine } from "../engine/types";
import type { ApprovalDeps } from "../use-cases/approvals/deps";
import {
  type NotificationWorker,
  notifyApproval,
  startNotificationWorker,
} from "../use-cases/approvals/notifications/outbox";
import type { DeliveryConfig } from "../use-cases/approvals/notifications/settings";
import { defaultTransports, type WebhookFetchFor } from "../use-cases/approvals/notifications/transports";
import { decideWithoutWaitingForTheRun } from "./engine-adapter";

/** The decision service's dependencies, plus the key approval links are signed with. */
export interface Approvals extends ApprovalDeps {
  /** Derived inside links.ts from the installation secret (SWITCHBOARD_SECRET_KEY). */
  readonly linkSecret: string;
}

/** Approval notifications: where messages go, and the outbox worker that delivers them. */
export interface Notifications {
  /** SMTP, the public URL for links, the link secret. */
  readonly config: DeliveryConfig;
  /** The outbox worker while it runs, else null. */
  readonly worker: NotificationWorker | null;
  /** Starts the outbox worker (schedule + deliver every `intervalMs`); a second call returns the same one. */
  start(options?: { intervalMs?: number }): Promise<NotificationWorker>;
  stop(): void;
}

type Log = (line: string) => void;

/** `webhookFetch`: the egress-guarded fetch of a workspace (the host's platform.fetchFor). */
export function createNotifications(
  db: Db,
  config: () => DeliveryConfig,
  log: Log,
  webhookFetch?: WebhookFetchFor,
): Notifications {
  let worker: NotificationWorker | null = null;
  let starting: Promise<NotificationWorker> | null = null;
  return {
    get config() {
      return config();
    },
    get worker() {
      return worker;
    },
    start(options = {}) {
      starting ??= (async () => {
        const c = config();
        worker = startNotificationWorker({
          db,
          config: c,
          transports: await defaultTransports(c, { fetchFor: webhookFetch }),
          intervalMs: options.intervalMs,
          onError: (error) => log(`notifications: ${error instanceof Error ? error.message : String(error)}`),
        });
        return worker;
      })();
      return starting;
    },
    stop() {
      worker?.stop();
      worker = null;
      starting = null;
    },
  };
}

export function createApprovals(parts: {
  db: Db;
  engine: Engine;
  store: RunStore;
  notifications: Notifications;
  linkSecret: () => string;
  log: Log;
}): Approvals {
  const { db, store, notifications } = parts;
  // Answer as soon as the decision is committed; the run goes on in the background.
  const engine = decideWithoutWaitingForTheRun(
    parts.engine,
    async (id) => (await store.getApproval(id))?.status ?? null,
    {
      onRunError: (error) =>
        parts.log(`run after decision: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
    },
  );
  return {
    db,
    engine,
    listener: {
      async onReassigned(approval) {
        await notifyApproval(db, notifications.config, approval.id, "reassigned", `R${Date.now()}`);
      },
    },
    get linkSecret() {
      return parts.linkSecret();
    },
  };
}
