// The workspace's egress allow-list (Settings → Network egress, `switchboard egress`): hosts
// (`host` or `host:port`) that outbound calls — http nodes, model providers, notification
// webhooks — may reach on private, loopback or link-local addresses, e.g. a local Ollama on
// 127.0.0.1:11434. Everything else on those networks stays refused unless the installation sets
// SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1. Admins only, or the CLI; every change is audited.
import { AppError } from "@/lib/contracts/app-errors";
import { recordAudit } from "@/lib/db/audit";
import { transaction } from "@/lib/db/tx";
import { egressAllowHostsOf, setEgressAllowHosts, workspaceConfigHead } from "@/lib/db/workspace-config";
import { parseAllowEntry } from "@/lib/engine/egress";
import { auditActorOf, type Caller, requireAllowed } from "./caller";
import type { Platform } from "./platform";

export const MAX_ALLOWED_HOSTS = 200;

export interface EgressView {
  allowHosts: string[];
  /** SWITCHBOARD_ALLOW_PRIVATE_NETWORK=1: every private address is allowed anyway */
  allowPrivateNetwork: boolean;
}

export async function getEgress(platform: Platform, workspaceId: string): Promise<EgressView> {
  const head = await workspaceConfigHead(platform.db, workspaceId);
  return { allowHosts: egressAllowHostsOf(head?.settings), allowPrivateNetwork: platform.allowPrivateNetwork };
}

function normalise(raw: unknown): string {
  const parsed = parseAllowEntry(typeof raw === "string" ? raw : "");
  if (!parsed.ok)
    throw new AppError("invalid:egress", {
      message: `host: ${parsed.error}`,
      fieldErrors: [{ path: "host", message: parsed.error }],
    });
  return parsed.text;
}

async function change(
  platform: Platform,
  caller: Caller,
  edit: (current: string[]) => { next: string[]; action: string; summary: string; host: string },
): Promise<EgressView> {
  requireAllowed(caller, "settings.manage", "settings");
  const workspaceId = caller.workspaceId;
  const after = await transaction(platform.db, async (tx) => {
    const head = await workspaceConfigHead(tx, workspaceId);
    if (!head) throw new AppError("not_found:workspace");
    const current = egressAllowHostsOf(head.settings);
    const { next, action, summary, host } = edit(current);
    if (next.length > MAX_ALLOWED_HOSTS)
      throw new AppError("invalid:egress", { message: `At most ${MAX_ALLOWED_HOSTS} hosts can be allowed.` });
    await setEgressAllowHosts(tx, workspaceId, next);
    await recordAudit(tx, {
      workspaceId,
      actor: auditActorOf(caller),
      action,
      targetType: "egress",
      targetId: host,
      summary,
      data: { host, before: current, after: next },
    });
    return next;
  });
  platform.invalidate(workspaceId);
  return { allowHosts: after, allowPrivateNetwork: platform.allowPrivateNetwork };
}

/** Adds `host[:port]` to the allow-list (already there: conflict:egress). */
export async function allowEgressHost(platform: Platform, caller: Caller, raw: { host: string }): Promise<EgressView> {
  const host = normalise(raw?.host);
  return change(platform, caller, (current) => {
    if (current.includes(host))
      throw new AppError("conflict:egress", {
        message: `${host} is already allowed.`,
        fieldErrors: [{ path: "host", message: "is already allowed" }],
      });
    return {
      next: [...current, host],
      action: "egress.allowed",
      host,
      summary: `Allowed outbound calls to ${host} on private networks`,
    };
  });
}

/** Removes `host[:port]` from the allow-list (not there: not_found:egress). */
export async function removeEgressHost(platform: Platform, caller: Caller, raw: { host: string }): Promise<EgressView> {
  const host = normalise(raw?.host);
  return change(platform, caller, (current) => {
    if (!current.includes(host))
      throw new AppError("not_found:egress", { message: `${host} is not on the allow-list.` });
    return {
      next: current.filter((h) => h !== host),
      action: "egress.removed",
      host,
      summary: `Removed ${host} from the hosts allowed on private networks`,
    };
  });
}
