/**
 * Redaction of a commit before it reaches the store: the input of a run it creates, step inputs,
 * outputs and errors, event data,
 * new approvals (title, details, payload), and the run's output, error and state. The copies are
 * redacted; what the execution keeps in memory is not (a step reads its predecessors' real
 * outputs), so a run that resumes from the store sees `[redacted]` where a secret was.
 */
import type { CommitInput } from "@/lib/contracts/ports";

export type Redact = <T>(value: T) => T;

export function redactCommit(input: CommitInput, redact: Redact): CommitInput {
  // a run created by this commit: its input and first events
  if (input.create)
    input.create = {
      ...input.create,
      input: redact(input.create.input),
      events: input.create.events?.map((e) => ({ ...e, data: redact(e.data) })),
    };
  if (input.steps)
    input.steps = input.steps.map((s) => ({
      ...s,
      input: redact(s.input),
      output: redact(s.output),
      error: redact(s.error),
    }));
  if (input.events) input.events = input.events.map((e) => ({ ...e, data: redact(e.data) }));
  if (input.approvals?.create)
    input.approvals = {
      ...input.approvals,
      create: input.approvals.create.map((a) => ({
        ...a,
        title: redact(a.title),
        details: redact(a.details),
        payload: redact(a.payload),
      })),
    };
  if (input.run) {
    const run = { ...input.run };
    if (run.output !== undefined) run.output = redact(run.output);
    if (run.error !== undefined) run.error = redact(run.error);
    if (run.state !== undefined) run.state = redact(run.state);
    input.run = run;
  }
  return input;
}
