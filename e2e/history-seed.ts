// Seeds run history into the e2e server's database through scripts/seed-history-e2e.ts (the
// same code paths as the app: Prisma for the history, the real engine for the failing run) and
// returns the inserted rows, from which the specs compute what the pages must show.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { e2eDataDir } from "./support/auth";

export interface SeededRun {
  id: string;
  workflowId: string;
  status: string;
  trigger: string;
  startedById: string | null;
  createdAt: string;
  durationMs: number | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  input: { message: string };
}

export interface HistorySeed {
  workspaceId: string;
  window: { from: string; to: string };
  workflows: { id: string; name: string }[];
  runs: SeededRun[];
  steps: { runId: string; nodeId: string; status: string; model: string | null; costUsd: number }[];
  flaky: null | {
    workflowId: string;
    failedRunId: string;
    failedStatus: string;
    failedUsage: { inputTokens: number; outputTokens: number; costUsd: number };
    failedSteps: { nodeId: string; status: string }[];
  };
}

export function seedHistory(args: string[]): HistorySeed {
  const out = execFileSync(
    "npx",
    ["tsx", "scripts/seed-history-e2e.ts", "--db", join(e2eDataDir(), "switchboard.db"), ...args],
    { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
  );
  return JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as HistorySeed;
}
