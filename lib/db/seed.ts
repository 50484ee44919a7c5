// First-start seed: on an EMPTY database (no workspace, no user) creates the demo workspace
// "Acme Support" with one user per role and the demo workflows (every lib/templates/*.json, or
// a small built-in "Agent → approval → agent" workflow when that folder is missing).
// Passwords are random, hashed with argon2id, always written to <data dir>/first-run.json (mode
// 600), and printed once only when asked to (bootstrap asks when it runs in an interactive
// terminal, so they never land in a process log). There is no default password anywhere.
import { createHash } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { workflowDocumentSchema } from "@/lib/contracts/workflow-document";
import { generatePassword, hashPassword } from "../auth/password";
import type { Role } from "../auth/roles";
import { projectRoot } from "../env";
import { recordAudit } from "./audit";
import type { Db } from "./client";
import type { Prisma } from "./generated/sqlite/client";

export const DEMO_WORKSPACE = { name: "Acme Support", slug: "acme" } as const;

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "admin@acme.test", name: "Alex Admin", role: "admin" },
  { email: "editor@acme.test", name: "Erin Editor", role: "editor" },
  { email: "approver@acme.test", name: "Avery Approver", role: "approver" },
  { email: "viewer@acme.test", name: "Val Viewer", role: "viewer" },
];

export type FirstRunFile = { users: { email: string; role: Role; password: string }[] };
export type SeedResult = FirstRunFile & { workspaceId: string; workflows: string[]; file: string };

/** The built-in demo when lib/templates is absent: trigger → agent → approval → agent → end. */
export const BUILTIN_DEMO_WORKFLOW = {
  format: "switchboard.workflow/v1",
  name: "Refund request",
  description: "An agent drafts a refund decision, a person approves it, a second agent writes the reply.",
  input: {
    type: "object",
    properties: {
      message: { type: "string", title: "Customer message", default: "I was charged twice, please refund." },
    },
    required: ["message"],
  },
  limits: { maxCostUsd: 0.5, maxSteps: 100 },
  nodes: [
    { id: "start", type: "trigger", name: "Customer message", position: { x: 0, y: 100 }, config: { kind: "manual" } },
    {
      id: "draft",
      type: "agent",
      name: "Draft decision",
      position: { x: 280, y: 100 },
      config: {
        model: "simulated",
        instructions: "Decide whether the refund is justified and say why in two sentences.",
        prompt: "{{ input.message }}",
        simulate: { output: "Duplicate charge confirmed: refund the second payment." },
      },
    },
    {
      id: "approve",
      type: "approval",
      name: "Approve refund",
      position: { x: 560, y: 100 },
      config: {
        title: "Approve this refund?",
        details: "{{ nodes.draft.output }}",
        assignees: { roles: ["approver"], users: [] },
        timeoutMs: 86_400_000,
        onTimeout: "reject",
      },
    },
    {
      id: "reply",
      type: "agent",
      name: "Write reply",
      position: { x: 840, y: 40 },
      config: {
        model: "simulated",
        instructions: "Write a short, friendly reply confirming the refund.",
        prompt: "{{ nodes.draft.output }}",
      },
    },
    {
      id: "done",
      type: "end",
      name: "Refunded",
      position: { x: 1120, y: 40 },
      config: { output: { reply: "{{ nodes.reply.output }}" } },
    },
    {
      id: "declined",
      type: "end",
      name: "Declined",
      position: { x: 840, y: 200 },
      config: { output: { declined: true } },
    },
  ],
  edges: [
    { id: "e1", source: "start", target: "draft" },
    { id: "e2", source: "draft", target: "approve" },
    { id: "e3", source: "approve", target: "reply", sourceHandle: "approved" },
    { id: "e4", source: "approve", target: "declined", sourceHandle: "rejected" },
    { id: "e5", source: "reply", target: "done" },
  ],
};

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function documentHash(document: unknown): string {
  return createHash("sha256").update(canonicalJson(document)).digest("hex");
}

/** Demo documents: every lib/templates/*.json that parses as a workflow, else the built-in one. */
export function demoDocuments(
  root = projectRoot(),
  warn: (m: string) => void = console.warn,
): Record<string, unknown>[] {
  const dir = join(root, "lib/templates");
  if (!existsSync(dir)) return [BUILTIN_DEMO_WORKFLOW];
  const docs: Record<string, unknown>[] = [];
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .sort()) {
    try {
      const raw = JSON.parse(readFileSync(join(dir, name), "utf8"));
      const parsed = workflowDocumentSchema.safeParse(raw);
      if (!parsed.success) {
        warn(
          `seed: skipped lib/templates/${name}: ${parsed.error.issues[0]?.path.join(".")} ${parsed.error.issues[0]?.message}`,
        );
        continue;
      }
      docs.push(raw);
    } catch (error) {
      warn(`seed: skipped lib/templates/${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return docs.length ? docs : [BUILTIN_DEMO_WORKFLOW];
}

export async function isEmpty(db: Db): Promise<boolean> {
  const [workspaces, users] = await Promise.all([db.prisma.workspace.count(), db.prisma.user.count()]);
  return workspaces === 0 && users === 0;
}

export function firstRunPath(dataDir: string): string {
  return join(resolve(dataDir), "first-run.json");
}

/**
 * Seeds an empty database; returns null (and changes nothing) when it already has data.
 * The credentials file is written next to its final name first and moved into place only
 * after the database commit, so a concurrent starter that lost the race leaves no stale file.
 */
export async function seedIfEmpty(
  db: Db,
  options: {
    dataDir: string;
    root?: string;
    log?: (line: string) => void;
    /** print the passwords through `log` (default true); false names first-run.json instead */
    showPasswords?: boolean;
  },
): Promise<SeedResult | null> {
  if (!(await isEmpty(db))) return null;
  const log = options.log ?? ((line: string) => console.log(line));
  const users = DEMO_USERS.map((u) => ({ ...u, password: generatePassword() }));
  const hashes = await Promise.all(users.map((u) => hashPassword(u.password)));
  const documents = demoDocuments(options.root);

  const file = firstRunPath(options.dataDir);
  mkdirSync(resolve(options.dataDir), { recursive: true, mode: 0o700 });
  const pending = `${file}.${process.pid}.tmp`;
  const content: FirstRunFile = { users: users.map(({ email, role, password }) => ({ email, role, password })) };
  writeFileSync(pending, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });

  let workspaceId: string;
  const workflows: string[] = [];
  try {
    workspaceId = await db.prisma.$transaction(
      async (tx) => {
        if ((await tx.workspace.count()) > 0 || (await tx.user.count()) > 0) throw new AlreadySeeded();
        const ws = await tx.workspace.create({ data: DEMO_WORKSPACE });
        let adminId: string | null = null;
        for (const [i, u] of users.entries()) {
          const user = await tx.user.create({ data: { email: u.email, name: u.name, passwordHash: hashes[i] } });
          await tx.membership.create({ data: { workspaceId: ws.id, userId: user.id, role: u.role } });
          if (u.role === "admin") adminId = user.id;
        }
        for (const document of documents) {
          const name = String(document.name);
          const wf = await tx.workflow.create({
            data: {
              workspaceId: ws.id,
              name,
              description: String(document.description ?? ""),
              draft: document as Prisma.InputJsonValue,
              createdById: adminId,
              updatedById: adminId,
            },
          });
          await tx.workflowVersion.create({
            data: {
              workspaceId: ws.id,
              workflowId: wf.id,
              version: 1,
              document: document as Prisma.InputJsonValue,
              contentHash: documentHash(document),
              publishedById: adminId,
              note: "Demo workflow",
            },
          });
          workflows.push(name);
        }
        await recordAudit(tx, {
          workspaceId: ws.id,
          actor: { label: "system" },
          action: "workspace.seeded",
          targetType: "workspace",
          targetId: ws.id,
          summary: `Created the demo workspace with ${users.length} users and ${workflows.length} workflows`,
          data: { users: users.map((u) => ({ email: u.email, role: u.role })), workflows },
        });
        return ws.id;
      },
      { timeout: 30_000 },
    );
  } catch (error) {
    rmSync(pending, { force: true });
    if (error instanceof AlreadySeeded || isUniqueViolation(error)) return null;
    throw error;
  }
  renameSync(pending, file);
  chmodSync(file, 0o600);

  log("");
  if (options.showPasswords ?? true) {
    log("Switchboard: created the demo workspace “Acme Support”. Sign in with one of these (shown once;");
    log(`also saved to ${file}, readable only by you):`);
    for (const u of users) log(`  ${u.role.padEnd(9)} ${u.email.padEnd(22)} ${u.password}`);
  } else {
    log("Switchboard: created the demo workspace “Acme Support” with these users; their one-time passwords");
    log(`are in ${file} (readable only by you; not printed, as this is not an interactive terminal):`);
    for (const u of users) log(`  ${u.role.padEnd(9)} ${u.email}`);
  }
  log("");
  return { ...content, workspaceId, workflows, file };
}

class AlreadySeeded extends Error {}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}
