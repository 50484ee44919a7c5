// Text no database stores alike — NUL (PostgreSQL refuses it in text and jsonb) and unpaired
// surrogates — is refused with a field error before anything is written, on both databases; and a
// run input that fails the workflow's input schema comes back as a field error (invalid:input,
// HTTP 400), not as "internal".
import { beforeAll, describe, expect, it } from "vitest";

process.env.SWITCHBOARD_NOTIFICATIONS = "0";

import { createWorkflowAction, renameWorkflowAction, saveDraftAction } from "@/app/(app)/workflows/actions";
import { startRunAction } from "@/app/(app)/workflows/run-actions";
import { toResponse } from "@/lib/contracts/app-errors";
import { InputValidationError, isInputValidationError } from "@/lib/contracts/errors";
import { UNSAFE_TEXT_MESSAGE } from "@/lib/contracts/text";
import { TEST_DATABASES } from "@/lib/db/testing";
import { serverHarness, type TestDb } from "@/lib/server/testing";

const NUL = "a\u0000b";
const HALF_EMOJI = "smile \uD83D";

describe.each(TEST_DATABASES)("text fields and run inputs on $name", ({ open }) => {
  const server = serverHarness(open);
  const { as } = server;
  let db: TestDb;
  let workflowId: string;
  beforeAll(async () => {
    db = server.db;
    as("editor");
    const created = await createWorkflowAction({ templateId: "draft-approve-send" });
    if (!created.ok) throw new Error(created.error.message);
    workflowId = created.data.id;
  });

  const runCount = () => db.prisma.run.count();

  it("names with NUL or half a surrogate pair are refused at the field; nothing is stored", async () => {
    as("editor");
    const before = await db.prisma.workflow.count();
    for (const name of [NUL, HALF_EMOJI, "\uDE00 alone"]) {
      const result = await createWorkflowAction({ name });
      expect(result).toMatchObject({
        ok: false,
        error: { code: "invalid:input", fieldErrors: [{ path: "name", message: UNSAFE_TEXT_MESSAGE }] },
      });
      const renamed = await renameWorkflowAction({ id: workflowId, name });
      expect(renamed).toMatchObject({ ok: false, error: { code: "invalid:input" } });
    }
    expect(await db.prisma.workflow.count()).toBe(before);
    // A whole emoji is fine.
    expect((await renameWorkflowAction({ id: workflowId, name: "Refunds 😀" })).ok).toBe(true);
  });

  it("a draft with NUL anywhere (node names, configs, keys) is refused naming the spot", async () => {
    as("editor");
    const wf = await db.prisma.workflow.findUniqueOrThrow({ where: { id: workflowId } });
    const draft = structuredClone(wf.draft) as {
      name: string;
      nodes: { name?: string; config: Record<string, unknown> }[];
    };
    (draft.nodes[1] as { config: Record<string, unknown> }).config.instructions = NUL;
    const result = await saveDraftAction({ id: workflowId, baseRevision: wf.draftRevision, document: draft });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("invalid:input");
    expect(result.error.fieldErrors).toEqual([
      { path: "document.nodes[1].config.instructions", message: UNSAFE_TEXT_MESSAGE },
    ]);
    const after = await db.prisma.workflow.findUniqueOrThrow({ where: { id: workflowId } });
    expect(after.draftRevision).toBe(wf.draftRevision);
  });

  it("a run input that fails the input schema is a 400 naming the field, and starts nothing", async () => {
    as("editor");
    const before = await runCount();
    const wrongType = await startRunAction({ id: workflowId, input: { message: 42 } });
    expect(wrongType).toMatchObject({
      ok: false,
      error: { code: "invalid:input", fieldErrors: [{ path: "input.message", message: "This must be text." }] },
    });
    if (!wrongType.ok) expect(wrongType.error.message).toMatch(/input\.message/);
    const nul = await startRunAction({ id: workflowId, input: { message: NUL } });
    expect(nul).toMatchObject({ ok: false, error: { code: "invalid:input" } });
    if (!nul.ok) expect(nul.error.fieldErrors?.[0]?.path).toMatch(/message$/);
    expect(await runCount()).toBe(before);
    const response = toResponse(new InputValidationError([{ path: "input.message", message: "This must be text." }]));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: { code: "invalid:input", fieldErrors: [{ path: "input.message" }] },
    });
  });

  it("the engine itself refuses NUL and lone surrogates in a run input before storing it", async () => {
    const wf = await db.prisma.workflow.findUniqueOrThrow({ where: { id: workflowId } });
    const source = { document: wf.draft, workspaceId: wf.workspaceId, workflowId: wf.id };
    const before = await runCount();
    for (const message of [NUL, HALF_EMOJI]) {
      const error = await server.host.engine.startRun(source, { message, extra: { [NUL]: 1 } }).catch((e) => e);
      expect(isInputValidationError(error)).toBe(true);
      expect((error as InputValidationError).issues.map((i) => i.path)).toEqual([
        "input.message",
        'input.extra["a\\u0000b"]',
      ]);
    }
    expect(await runCount()).toBe(before);
  });
});
