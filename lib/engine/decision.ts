/**
 * The one validation of an approval decision: the decision itself, and edited data — new limits
 * for a budget escalation, otherwise only when the approval allows editing, checked against its
 * editSchema. engine.decide() refuses with InputValidationError(issues) when this returns any;
 * the inbox's use case calls it first so a refused edit never reaches the engine.
 */
import type { Issue } from "@/lib/contracts/errors";
import { compileJsonSchema, isCompileError } from "@/lib/contracts/json-schema-check";
import { unsafeTextIssues } from "@/lib/contracts/text";

export type DecisionToCheck = { decision: string; data?: unknown };

/** The approval as stored (ApprovalRecord, or its database row). */
export type ApprovalToDecide = { kind: string; allowEdit: boolean; editSchema: unknown };

export function decisionIssues(approval: ApprovalToDecide, input: DecisionToCheck): Issue[] {
  if (input.decision !== "approve" && input.decision !== "reject")
    return [{ path: "decision", message: 'The decision must be "approve" or "reject".' }];
  if (input.data === undefined || input.decision !== "approve") return [];
  if (approval.kind === "budget") return budgetIssues(input.data);
  if (!approval.allowEdit) return [{ path: "data", message: "This approval does not allow editing the data." }];
  // Text no database can store alike (NUL, unpaired surrogates): a field error.
  const unsafe = unsafeTextIssues(input.data, "data");
  if (unsafe.length > 0) return unsafe;
  if (!approval.editSchema) return [];
  const compiled = compileJsonSchema(approval.editSchema);
  if (isCompileError(compiled))
    return [{ path: "data", message: `The approval's edit schema is not valid: ${compiled.error}` }];
  return compiled.check(input.data, "data");
}

/** A budget escalation is approved with new limits: { maxCostUsd?, maxTokens? }, numbers ≥ 0. */
function budgetIssues(data: unknown): Issue[] {
  const d = data as Record<string, unknown>;
  if (!d || typeof d !== "object" || Array.isArray(d))
    return [{ path: "data", message: 'Give the new limits as an object, e.g. { "maxCostUsd": 2 }.' }];
  const issues: Issue[] = [];
  for (const k of Object.keys(d)) {
    if (k !== "maxCostUsd" && k !== "maxTokens")
      issues.push({ path: `data.${k}`, message: "Only maxCostUsd and maxTokens can be raised." });
    else if (typeof d[k] !== "number" || (d[k] as number) < 0)
      issues.push({ path: `data.${k}`, message: "This must be a number of at least 0." });
  }
  return issues;
}
