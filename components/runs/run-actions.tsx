"use client";
// The run page's actions: cancel, re-run (same or latest version), retry from the failed step,
// compare with another run. Refusals come back as results and are shown, never thrown.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { cancelRunAction, rerunRunAction, retryRunAction } from "@/app/(app)/runs/actions";
import { Button, buttonClass } from "@/components/ui/button";
import type { ActionResult } from "@/lib/contracts/app-errors";
import { versionLabel } from "./format";

const ACTIVE = new Set(["queued", "running", "waiting"]);

export function RunActions({
  runId,
  status,
  version,
  latestVersion,
  hasFailedStep,
  may,
  compareWith,
}: {
  runId: string;
  status: string;
  version: number;
  latestVersion: number;
  hasFailedStep: boolean;
  may: { cancel: boolean; retry: boolean; start: boolean };
  compareWith: string | null;
}) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  function run(name: string, fn: () => Promise<ActionResult<{ runId?: string } | { status: string }>>) {
    setError(null);
    setBusy(name);
    start(async () => {
      const result = await fn();
      setBusy(null);
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      const next = "runId" in result.data ? result.data.runId : undefined;
      if (next && next !== runId) router.push(`/runs/${next}`);
      else router.refresh();
    });
  }

  return (
    <div className="flex flex-col items-end gap-2">
      <div className="flex flex-wrap justify-end gap-2">
        {ACTIVE.has(status) && may.cancel ? (
          <Button
            variant="danger"
            loading={busy === "cancel"}
            disabled={pending}
            onClick={() => run("cancel", () => cancelRunAction({ runId }))}
          >
            Cancel run
          </Button>
        ) : null}
        {status === "failed" && hasFailedStep && may.retry ? (
          <Button
            loading={busy === "retry"}
            disabled={pending}
            onClick={() => run("retry", () => retryRunAction({ runId }))}
          >
            Retry from failed step
          </Button>
        ) : null}
        {may.start ? (
          <Button
            variant="secondary"
            loading={busy === "rerun"}
            disabled={pending}
            onClick={() => run("rerun", () => rerunRunAction({ runId, version: "same" }))}
          >
            Re-run ({versionLabel(version)})
          </Button>
        ) : null}
        {may.start && latestVersion !== version ? (
          <Button
            variant="secondary"
            loading={busy === "rerun-latest"}
            disabled={pending}
            onClick={() => run("rerun-latest", () => rerunRunAction({ runId, version: "latest" }))}
          >
            Re-run on latest (v{latestVersion})
          </Button>
        ) : null}
        <Link
          href={`/runs/compare?a=${encodeURIComponent(runId)}${compareWith ? `&b=${encodeURIComponent(compareWith)}` : ""}`}
          className={buttonClass("secondary")}
        >
          Compare…
        </Link>
      </div>
      {error ? (
        <p role="alert" className="max-w-md text-right text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}
