import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Forbidden } from "@/components/shell/forbidden";
import { PageBody, PageHeader } from "@/components/shell/page-header";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Select } from "@/components/ui/select";
import { Table, TBody, TD, TH, THead, TR } from "@/components/ui/table";
import { can } from "@/lib/auth/policy";
import { issuesFromZod } from "@/lib/contracts/app-errors";
import { auditFacets, listAudit } from "@/lib/db/audit";
import { serverContext } from "@/lib/server/context";
import { requirePageActor } from "@/lib/server/session";

export const metadata: Metadata = { title: "Audit" };
export const dynamic = "force-dynamic";

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2026-11-25")
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), "Not a real date");

const FilterSchema = z.object({
  action: z.string().max(100).optional(),
  actor: z.string().max(320).optional(),
  from: day.optional(),
  to: day.optional(),
  cursor: z.string().max(200).optional(),
});

function blankToUndefined(params: Record<string, string | string[] | undefined>) {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (typeof v === "string" && v.trim() !== "") out[k] = v.trim();
  return out;
}

function formatWhen(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const actor = await requirePageActor("/audit");
  if (!can(actor, "audit.read")) return <Forbidden what="the audit trail" />;
  const raw = blankToUndefined(await searchParams);
  const parsed = FilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : {};
  const errors = parsed.success ? [] : issuesFromZod(parsed.error);

  const db = await serverContext().db();
  const [page, facets] = await Promise.all([
    listAudit(db, {
      workspaceId: actor.workspaceId,
      action: filter.action,
      actorLabel: filter.actor,
      from: filter.from ? new Date(`${filter.from}T00:00:00Z`) : undefined,
      // "to" is inclusive: everything before the next day.
      to: filter.to ? new Date(Date.parse(`${filter.to}T00:00:00Z`) + 86_400_000) : undefined,
      cursor: filter.cursor,
      limit: 50,
    }),
    auditFacets(db, actor.workspaceId),
  ]);
  const filtered = Boolean(filter.action || filter.actor || filter.from || filter.to);
  const nextParams = new URLSearchParams({
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.actor ? { actor: filter.actor } : {}),
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
  });
  const firstPageHref = `/audit${nextParams.size ? `?${nextParams}` : ""}`;
  if (page.nextCursor) nextParams.set("cursor", page.nextCursor);

  return (
    <PageBody>
      <PageHeader
        title="Audit"
        description="Every change in this workspace: who did what, to which object, and when. Newest first."
      />
      <form
        method="get"
        action="/audit"
        className="mb-6 grid gap-4 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-5 lg:items-end"
      >
        <div className="space-y-1.5">
          <Label htmlFor="audit-action">Action</Label>
          <Select id="audit-action" name="action" defaultValue={filter.action ?? ""}>
            <option value="">All actions</option>
            {facets.actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </Select>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="audit-actor">Actor</Label>
          <Select id="audit-actor" name="actor" defaultValue={filter.actor ?? ""}>
            <option value="">Everyone</option>
            {facets.actors.map((a) => (
              <option key={a.actorLabel} value={a.actorLabel}>
                {a.actorLabel}
              </option>
            ))}
          </Select>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="audit-from">From</Label>
          <Input id="audit-from" name="from" type="date" defaultValue={filter.from ?? raw.from ?? ""} />
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="audit-to">To</Label>
          <Input id="audit-to" name="to" type="date" defaultValue={filter.to ?? raw.to ?? ""} />
        </div>
        <div className="flex gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Apply filters
          </button>
          {filtered ? (
            <Link href="/audit" className={buttonClass("secondary")}>
              Clear
            </Link>
          ) : null}
        </div>
        {errors.length ? (
          <p role="alert" className="text-sm text-red-700 sm:col-span-2 lg:col-span-5">
            {errors.map((e) => `${e.path}: ${e.message}`).join("; ")}
          </p>
        ) : null}
      </form>

      {page.entries.length === 0 ? (
        <EmptyState
          title={filtered ? "No entries match these filters" : "Nothing recorded yet"}
          description={
            filtered
              ? "Try a wider date range or another action."
              : "Sign-ins, saved and published workflows, runs, approvals and member changes appear here as they happen."
          }
        />
      ) : (
        <>
          <Table label="Audit entries">
            <THead>
              <TR>
                <TH>When</TH>
                <TH>Who</TH>
                <TH>Action</TH>
                <TH>Object</TH>
                <TH>Summary</TH>
              </TR>
            </THead>
            <TBody>
              {page.entries.map((e) => (
                <TR key={e.id}>
                  <TD className="whitespace-nowrap text-slate-600">
                    <time dateTime={e.createdAt.toISOString()}>{formatWhen(e.createdAt)}</time>
                  </TD>
                  <TD>{e.actorLabel}</TD>
                  <TD>
                    <code className="font-mono text-xs">{e.action}</code>
                  </TD>
                  <TD className="text-slate-600">
                    {e.targetType}
                    {e.targetId ? <span className="block font-mono text-xs text-slate-400">{e.targetId}</span> : null}
                  </TD>
                  <TD>{e.summary}</TD>
                </TR>
              ))}
            </TBody>
          </Table>
          <nav aria-label="Audit pages" className="mt-4 flex justify-between gap-3">
            {filter.cursor ? (
              <Link href={firstPageHref} className={buttonClass("secondary", "sm")}>
                Newest entries
              </Link>
            ) : (
              <span />
            )}
            {page.nextCursor ? (
              <Link href={`/audit?${nextParams}`} className={buttonClass("secondary", "sm")}>
                Older entries
              </Link>
            ) : null}
          </nav>
        </>
      )}
    </PageBody>
  );
}
