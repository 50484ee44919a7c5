// What a follow-up message in a waiting A2A task decides: approve or reject in text (with a
// comment or reason), or a data part with the decision and, when approving, edited data.
// Anything else decides nothing (and is refused with instructions by the agent).
import { type Message, Role } from "@a2a-js/sdk";
import { describe, expect, it } from "vitest";
import { decisionFromMessage } from "./agent";

const message = (part: { text: string } | { data: unknown }): Message => ({
  messageId: "m",
  contextId: "",
  taskId: "t",
  role: Role.ROLE_USER,
  parts: [
    "text" in part
      ? { content: { $case: "text", value: part.text }, metadata: undefined, filename: "", mediaType: "text/plain" }
      : {
          content: { $case: "data", value: part.data },
          metadata: undefined,
          filename: "",
          mediaType: "application/json",
        },
  ],
  metadata: undefined,
  extensions: [],
  referenceTaskIds: [],
});

describe("decisionFromMessage", () => {
  it("reads approve / reject in text, with what follows as the comment or reason", () => {
    expect(decisionFromMessage(message({ text: "approve" }))).toEqual({ decision: "approve" });
    expect(decisionFromMessage(message({ text: "Approved: checked the receipt" }))).toEqual({
      decision: "approve",
      comment: "checked the receipt",
    });
    expect(decisionFromMessage(message({ text: "yes" }))).toEqual({ decision: "approve" });
    expect(decisionFromMessage(message({ text: "reject - not our customer" }))).toEqual({
      decision: "reject",
      reason: "not our customer",
    });
    expect(decisionFromMessage(message({ text: "no" }))).toEqual({ decision: "reject", reason: "Rejected over A2A." });
  });

  it("reads a data part's decision, comment, reason and edited data", () => {
    expect(
      decisionFromMessage(message({ data: { decision: "approve", data: { amount: 10 }, comment: "less" } })),
    ).toEqual({ decision: "approve", comment: "less", data: { amount: 10 } });
    expect(decisionFromMessage(message({ data: { decision: "reject", reason: "duplicate", data: { x: 1 } } }))).toEqual(
      {
        decision: "reject",
        reason: "duplicate",
      },
    );
  });

  it("decides nothing on anything else", () => {
    for (const text of ["maybe", "approval needed?", "nobody", ""])
      expect(decisionFromMessage(message({ text })), text).toBeNull();
    expect(decisionFromMessage(message({ data: { amount: 3 } }))).toBeNull();
    expect(decisionFromMessage(message({ data: { decision: "sure" } }))).toBeNull();
    expect(decisionFromMessage(undefined)).toBeNull();
  });
});
