import { GuardrailFailedError } from "@/lib/contracts/errors";
import { compileJsonSchema, isCompileError } from "@/lib/contracts/json-schema-check";
import type { ExecContext, ExecResult, Executor } from "@/lib/contracts/node";
import { isRegexError, SafeRegExp } from "@/lib/contracts/safe-regex";
import { jsonataTruthy } from "../condition/executor";
import type { GuardrailCheck, GuardrailConfig } from "./definition";

/** Longest text a regex check runs on (keeps a slow pattern from stalling the engine). */
export const MAX_REGEX_INPUT = 100_000;

export interface GuardrailFailure {
  check: number;
  type: GuardrailCheck["type"];
  message: string;
}

function asText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  return JSON.stringify(value);
}

export async function runChecks(ctx: ExecContext<GuardrailConfig>, value: unknown): Promise<GuardrailFailure[]> {
  const failures: GuardrailFailure[] = [];
  for (let i = 0; i < ctx.config.checks.length; i++) {
    const check = ctx.config.checks[i]!;
    const fail = (message: string) => failures.push({ check: i, type: check.type, message: check.message ?? message });
    switch (check.type) {
      case "jsonSchema": {
        const compiled = compileJsonSchema(check.schema);
        if (isCompileError(compiled)) fail(`The JSON Schema is not valid: ${compiled.error}`);
        else {
          const problems = compiled.check(value, "value");
          if (problems.length > 0) fail(problems.map((p) => `${p.path}: ${p.message}`).join(" "));
        }
        break;
      }
      case "expression": {
        const ok = jsonataTruthy(await ctx.evaluate(check.expression, { value }));
        if (!ok) fail(`The check "${check.expression}" is not true.`);
        break;
      }
      case "regex": {
        const text = asText(value);
        if (text.length > MAX_REGEX_INPUT) {
          fail(`The text is longer than ${MAX_REGEX_INPUT} characters, too long to check with a pattern.`);
          break;
        }
        // RE2 semantics, linear time: a user's pattern cannot stall the engine (lib/contracts/safe-regex).
        let matches: boolean;
        try {
          matches = new SafeRegExp(check.pattern, check.flags ?? "").test(text);
        } catch (e) {
          if (!isRegexError(e)) throw e;
          fail(`The pattern /${check.pattern}/ could not be checked: ${e.message}.`);
          break;
        }
        if (check.mode === "forbid" && matches) fail(`The text matches the forbidden pattern /${check.pattern}/.`);
        if (check.mode === "match" && !matches) fail(`The text does not match the pattern /${check.pattern}/.`);
        break;
      }
      case "maxLength": {
        const length = asText(value).length;
        if (length > check.max) fail(`The text is ${length} characters long, more than ${check.max}.`);
        break;
      }
    }
  }
  return failures;
}

function failed(ctx: ExecContext<GuardrailConfig>, value: unknown, failures: GuardrailFailure[]): ExecResult {
  if (ctx.connectedOutcomes.has("fail"))
    return { kind: "done", outcome: "fail", output: { passed: false, value, failures } };
  throw new GuardrailFailedError(
    `The guardrail "${ctx.nodeName}" failed: ${failures.map((f) => f.message).join(" ")}`,
    { data: { failures } },
  );
}

export const guardrailExecutor: Executor<GuardrailConfig> = {
  async run(ctx) {
    const value = await ctx.render(ctx.config.target);
    const failures = await runChecks(ctx, value);
    if (failures.length === 0) return { kind: "done", outcome: "pass", output: value };
    if (ctx.config.onFail === "escalate") {
      return {
        kind: "wait",
        input: { failures },
        approval: {
          kind: "guardrail",
          title: ctx.config.title ?? `Guardrail "${ctx.nodeName}" needs a decision`,
          details: failures.map((f) => `- ${f.message}`).join("\n"),
          payload: value ?? null,
          allowEdit: true,
          editSchema: null,
          assignees: ctx.config.assignees,
          escalateTo: null,
          timeoutMs: ctx.config.timeoutMs,
          onTimeout: "reject",
        },
      };
    }
    return failed(ctx, value, failures);
  },
  async resume(ctx, wake) {
    if (wake.kind !== "approval") throw new Error("guardrail woken without an approval");
    const a = wake.approval;
    const value = a.decision?.data !== undefined ? a.decision.data : a.payload;
    if (a.status === "approved") return { kind: "done", outcome: "pass", output: value };
    return failed(ctx, value, [{ check: -1, type: "expression", message: "A person rejected the data." }]);
  },
};
