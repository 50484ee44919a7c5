import { describe, expect, it } from "vitest";
import { decisionIssues } from "@/lib/engine/decision";
import { validateWorkflow } from "@/lib/workflow/validate";
import { validateRunInput } from "@/lib/workflow/validate-document";
import { isSafeText, UNSAFE_TEXT_MESSAGE, unsafeTextIssues, userText } from "./text";

describe("user text", () => {
  it("refuses NUL and unpaired surrogates, accepts everything else", () => {
    for (const bad of ["a\u0000", "\uD83D", "x\uDE00y", "\uDE00\uD83D"])
      expect(isSafeText(bad), JSON.stringify(bad)).toBe(false);
    for (const good of ["", "plain", "émoji 😀", "\uD83D\uDE00", "tab\tnew\nline", "\u00a0\u2028"])
      expect(isSafeText(good)).toBe(true);
    const name = userText().trim().min(1).max(10);
    expect(name.safeParse(" ok ").data).toBe("ok");
    expect(name.safeParse("a\u0000").error?.issues[0]?.message).toBe(UNSAFE_TEXT_MESSAGE);
    expect(name.safeParse("x".repeat(11)).success).toBe(false);
  });

  it("finds bad strings and keys anywhere in JSON, with their paths", () => {
    expect(
      unsafeTextIssues({ a: ["ok", "b\u0000"], nested: { "k\uD800": 1, deep: [{ t: "\uDC00" }] } }, "input"),
    ).toEqual([
      { path: "input.a[1]", message: UNSAFE_TEXT_MESSAGE },
      { path: 'input.nested["k\\ud800"]', message: UNSAFE_TEXT_MESSAGE },
      { path: "input.nested.deep[0].t", message: UNSAFE_TEXT_MESSAGE },
    ]);
    expect(unsafeTextIssues({ fine: ["😀", 1, null, true] })).toEqual([]);
  });

  it("is checked in workflow documents (naming the node), run inputs and edited approval data", () => {
    const doc = {
      format: "switchboard.workflow/v1",
      name: "Bad\u0000name",
      nodes: [
        { id: "start", type: "trigger", config: { kind: "manual" } },
        { id: "done", type: "end", name: "End \uD83D", config: { output: { note: "x\u0000" } } },
      ],
      edges: [{ source: "start", target: "done", label: "\uDE00" }],
    };
    const result = validateWorkflow(doc);
    expect(result.valid).toBe(false);
    expect(result.issues).toEqual(
      expect.arrayContaining([
        { path: "name", message: UNSAFE_TEXT_MESSAGE },
        { path: "nodes[1].name", nodeId: "done", message: UNSAFE_TEXT_MESSAGE },
        { path: "nodes[1].config.output.note", nodeId: "done", message: UNSAFE_TEXT_MESSAGE },
        { path: "edges[0].label", message: UNSAFE_TEXT_MESSAGE },
      ]),
    );
    expect(result.issues.filter((i) => i.path === "name")).toHaveLength(1);
    expect(validateRunInput({}, { message: "hi\u0000" })).toEqual([
      { path: "input.message", message: UNSAFE_TEXT_MESSAGE },
    ]);
    expect(
      decisionIssues(
        { kind: "approval", allowEdit: true, editSchema: null },
        { decision: "approve", data: { t: "\uD800" } },
      ),
    ).toEqual([{ path: "data.t", message: UNSAFE_TEXT_MESSAGE }]);
  });
});
