// `switchboard audit verify [--workspace SLUG] [--json]`: walks each workspace's audit hash chain
// (lib/db/audit.ts) and names the first broken link. Exit 0 when every chain is intact, 1 when one
// is broken, 2 for an unknown workspace. Read-only: it never seeds or changes the database.
import { type AuditChainReport, verifyAudit } from "../db/audit";
import { bootstrap } from "../db/bootstrap";
import type { CliContext } from "./commands";
import { CliError, EXIT } from "./io";

export type AuditVerifyOutput = { ok: boolean; chains: AuditChainReport[] };

function name(r: AuditChainReport): string {
  return r.slug ?? "(no workspace)";
}

function summary(r: AuditChainReport): string {
  const entries = `${r.entries} ${r.entries === 1 ? "entry" : "entries"}`;
  if (r.ok) {
    const head = r.head ? ` (head #${r.head.seq} ${r.head.hash.slice(0, 16)}…)` : "";
    return `${name(r)}: ${entries}, intact${head}\n`;
  }
  const b = r.firstBreak;
  const where = b?.seq != null ? `entry #${b.seq}` : b?.id ? `entry ${b.id}` : "the end of the chain";
  const facts = [b?.createdAt, b?.action, b?.id ? `id ${b.id}` : null].filter(Boolean).join(", ");
  return `${name(r)}: BROKEN at ${where}${facts ? ` (${facts})` : ""}: ${b?.problem}\n`;
}

export async function auditVerifyCommand(
  ctx: CliContext,
  opts: { workspace?: string; json?: boolean },
): Promise<number> {
  const { db } = await bootstrap({ target: ctx.target, seed: false, log: (line) => ctx.io.stderr(`${line}\n`) });
  try {
    const chains = await verifyAudit(db, { workspaceSlug: opts.workspace });
    if (opts.workspace && chains.length === 0)
      throw new CliError(`There is no workspace "${opts.workspace}".`, EXIT.badInput);
    const ok = chains.every((c) => c.ok);
    if (opts.json) ctx.io.stdout(`${JSON.stringify({ ok, chains } satisfies AuditVerifyOutput, null, 2)}\n`);
    else {
      for (const c of chains) ctx.io.stdout(summary(c));
      for (const c of chains.filter((c) => c.legacy > 0))
        ctx.io.stdout(
          `note: ${name(c)} has ${c.legacy} entries from before the hash chain; the chain does not cover them.\n`,
        );
      if (chains.length === 0) ctx.io.stdout("No workspaces, nothing to verify.\n");
    }
    return ok ? EXIT.ok : EXIT.failed;
  } finally {
    await db.close();
  }
}
