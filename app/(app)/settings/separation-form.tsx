"use client";
// Separation of duties: when on, the person who started a run (or published the workflow version
// it runs) cannot decide its approvals. Admins change it; everyone sees it.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useToast } from "@/components/ui/toast";
import { setSeparationOfDutiesAction } from "./actions";

export function SeparationOfDutiesForm({ enabled, canEdit }: { enabled: boolean; canEdit: boolean }) {
  const [pending, setPending] = useState(false);
  const toast = useToast();
  const router = useRouter();

  async function toggle(next: boolean) {
    setPending(true);
    const result = await setSeparationOfDutiesAction({ enabled: next });
    setPending(false);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(`Separation of duties is ${result.data.enabled ? "on" : "off"}.`, "success");
    router.refresh();
  }

  return (
    <div className="space-y-1">
      <label className="flex items-center gap-2 text-sm font-medium text-slate-800">
        <input
          type="checkbox"
          checked={enabled}
          disabled={!canEdit || pending}
          onChange={(e) => toggle(e.target.checked)}
        />
        The person who started a run, or published its version, cannot decide its approvals
      </label>
      <p className="text-sm text-slate-600">
        Applies in the inbox, the API, signed links and bulk approval. The command line cannot decide while this is on.
      </p>
    </div>
  );
}
