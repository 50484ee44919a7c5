// Limits on starting runs, checked by every start path before anything is created:
//   - per member (a signed-in person): SWITCHBOARD_RUN_START_RATE starts a minute (default 30);
//   - per API key: SWITCHBOARD_RUN_START_RATE_PER_KEY starts a minute (default 60);
//   - per workspace: at most SWITCHBOARD_MAX_ACTIVE_RUNS queued + running runs (default 200), for
//     every start — the editor, the run page, the REST API, webhooks, schedules, chat, MCP/A2A.
// The rates are token buckets in this process's memory (like the API's request limit): with N web
// servers a member gets up to N times the rate. The workspace cap is counted in the database, so
// it holds across servers, but it is checked before the run is created: starts that race each
// other may pass it by a few. Webhooks, schedules and the CLI have no starter rate (a webhook's
// sender is not a member; the CLI is the operator) — the workspace cap applies to them too.
//
// A refusal is `rate_limited` (HTTP 429 with Retry-After; an action's error message) naming the
// limit. Nothing is created and no idempotency key is claimed.
import type { Actor } from "@/lib/auth/policy";
import { AppError } from "@/lib/contracts/app-errors";
import { createRateLimiter, type RateLimiter } from "@/lib/contracts/rate-limiter";
import type { Db } from "@/lib/db/client";
import { countActiveRuns } from "@/lib/db/runs";
import { readEnv } from "@/lib/env";

export type RunStartLimits = {
  /** starts a minute per member */
  perMember: number;
  /** starts a minute per API key */
  perKey: number;
  /** queued + running runs per workspace */
  maxActive: number;
};

type Limiters = { limits: RunStartLimits; member: RateLimiter; key: RateLimiter };

let shared: Limiters | null = null;

function limiters(): Limiters {
  if (!shared) {
    const env = readEnv();
    shared = build({
      perMember: env.SWITCHBOARD_RUN_START_RATE,
      perKey: env.SWITCHBOARD_RUN_START_RATE_PER_KEY,
      maxActive: env.SWITCHBOARD_MAX_ACTIVE_RUNS,
    });
  }
  return shared;
}

function build(limits: RunStartLimits, now?: () => number): Limiters {
  return {
    limits,
    member: createRateLimiter({ perMinute: limits.perMember, now }),
    key: createRateLimiter({ perMinute: limits.perKey, now }),
  };
}

/** Tests: other limits (fresh buckets), or null to go back to the environment's. */
export function setRunStartLimitsForTests(limits: RunStartLimits | null, now?: () => number): void {
  shared = limits ? build(limits, now) : null;
}

/** Who is starting: a member or an API key (rate limited), or a trigger/the CLI (only the workspace cap). */
export type RunStarter = Actor | null;

/** Throws `rate_limited` when `starter` or the workspace is over its limit; see the file comment. */
export async function admitRunStart(db: Db, workspaceId: string, starter: RunStarter): Promise<void> {
  const { limits, member, key } = limiters();
  if (starter && (starter.via === "session" || starter.via === "apiKey" || starter.via === "link")) {
    const isKey = starter.via === "apiKey";
    const wait = (isKey ? key : member).take(`${workspaceId}:${starter.userId}`);
    if (wait !== null) {
      const rate = isKey ? limits.perKey : limits.perMember;
      throw new AppError("rate_limited", {
        message: isKey
          ? `This API key started too many runs: the limit is ${rate} run starts a minute per API key. Retry in ${wait} s.`
          : `You started too many runs: the limit is ${rate} run starts a minute per member. Retry in ${wait} s.`,
        retryAfterSeconds: wait,
      });
    }
  }
  const active = await countActiveRuns(db, workspaceId);
  if (active >= limits.maxActive) {
    throw new AppError("rate_limited", {
      message: `This workspace already has ${active} queued or running runs: the limit is ${limits.maxActive} per workspace. Wait for some to finish (or cancel them) and retry.`,
      retryAfterSeconds: 30,
    });
  }
}
