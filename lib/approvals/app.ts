// Wiring of the decision service for the web app and the REST API: the process's engine, the
// notifications listener, the link secret, and the notification worker (started once per
// process, on first use).
import { loadSecrets } from "../auth/secrets";
import type { Db } from "../db/client";
import { notifyApproval, startNotificationWorker } from "../notifications/outbox";
import { type DeliveryConfig, deliveryConfigFromEnv } from "../notifications/settings";
import { defaultTransports } from "../notifications/transports";
import { createEngineFor } from "../runtime/engine";
import { decideWithoutWaitingForTheRun } from "./engine-adapter";
import type { ApprovalDeps, ApprovalEngine, ApprovalListener } from "./service";

let secretCache: string | undefined;

/** The key approval links are signed with (derived inside links.ts from the installation secret). */
export function linkSecret(): string {
  secretCache ??= loadSecrets().SWITCHBOARD_SECRET_KEY;
  return secretCache;
}

export function deliveryConfig(): DeliveryConfig {
  return { ...deliveryConfigFromEnv(), linkSecret: linkSecret() };
}

const globalState = globalThis as unknown as {
  switchboardApprovalEngine?: Map<Db, ApprovalEngine>;
  switchboardNotifications?: ReturnType<typeof startNotificationWorker> | null;
};

async function engineFor(db: Db): Promise<ApprovalEngine> {
  globalState.switchboardApprovalEngine ??= new Map();
  let engine = globalState.switchboardApprovalEngine.get(db);
  if (!engine) {
    const shared = await createEngineFor(db);
    engine = decideWithoutWaitingForTheRun(
      shared,
      async (id) => (await db.prisma.approval.findUnique({ where: { id }, select: { status: true } }))?.status ?? null,
      { onRunError: (error) => console.error("[switchboard] run after decision:", error) },
    );
    globalState.switchboardApprovalEngine.set(db, engine);
  }
  return engine;
}

/** Starts the notification worker once per process (SWITCHBOARD_NOTIFICATIONS=0 turns it off). */
export async function ensureNotificationWorker(db: Db): Promise<void> {
  if (globalState.switchboardNotifications !== undefined) return;
  if (process.env.SWITCHBOARD_NOTIFICATIONS === "0") {
    globalState.switchboardNotifications = null;
    return;
  }
  globalState.switchboardNotifications = null;
  const config = deliveryConfig();
  globalState.switchboardNotifications = startNotificationWorker({
    db,
    config,
    transports: await defaultTransports(config),
    intervalMs: Number(process.env.SWITCHBOARD_NOTIFY_INTERVAL_MS ?? 5000),
  });
}

function listenerFor(db: Db): ApprovalListener {
  return {
    async onReassigned(approval) {
      await notifyApproval(db, deliveryConfig(), approval.id, "reassigned", `R${Date.now()}`);
    },
  };
}

export async function approvalDeps(db: Db): Promise<ApprovalDeps> {
  await ensureNotificationWorker(db);
  return { db, engine: await engineFor(db), listener: listenerFor(db) };
}
