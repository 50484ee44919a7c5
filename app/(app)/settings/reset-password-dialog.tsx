"use client";
// Settings → Members → "Reset password": asks first (what happens to the member), then shows the
// generated password once in a read-only field with a Copy button. Closing the dialog forgets it.
// Refusals (oneself, an account that is also a member of another workspace…) show inline.
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog } from "@/components/ui/dialog";
import { Field, type FormError, fieldError } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { resetMemberPasswordAction } from "./actions";

export type ResetPasswordTarget = { userId: string; email: string };

export function ResetPasswordDialog({ member, onClose }: { member: ResetPasswordTarget | null; onClose: () => void }) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<{ email: string; password: string; sessionsEnded: number } | null>(null);

  function close() {
    // the password lives only in this state: gone once the dialog closes
    setDone(null);
    setError(null);
    setPending(false);
    onClose();
  }

  async function confirm() {
    if (!member) return;
    setPending(true);
    setError(null);
    const result = await resetMemberPasswordAction({ userId: member.userId });
    setPending(false);
    if (!result.ok) {
      setError(result.error);
      return;
    }
    setDone({ email: result.data.email, password: result.data.password, sessionsEnded: result.data.sessionsEnded });
  }

  if (done) {
    const n = done.sessionsEnded;
    const ended =
      n === 0
        ? "No session of theirs was open"
        : `${n} session${n === 1 ? " of theirs was" : "s of theirs were"} signed out`;
    return (
      <Dialog
        open={member !== null}
        onClose={close}
        title="Password reset"
        description={`Give ${done.email} this password yourself. It will not be shown again. ${ended}.`}
        footer={<Button onClick={close}>Done</Button>}
      >
        <div className="space-y-2">
          <Field
            label="New password"
            hint="They should change it under Settings → Your account: until they do, it cannot join another workspace."
          >
            <Input
              readOnly
              value={done.password}
              autoFocus
              autoComplete="off"
              spellCheck={false}
              onFocus={(e) => e.currentTarget.select()}
              className="font-mono"
            />
          </Field>
          <CopyButton text={done.password} />
        </div>
      </Dialog>
    );
  }

  const problem = error ? (fieldError(error.fieldErrors, "userId") ?? error.message) : null;
  return (
    <Dialog
      open={member !== null}
      onClose={close}
      title="Reset password?"
      description={
        member
          ? `A new password is generated for ${member.email}, and every session of theirs is signed out at once. You tell them the new password yourself; they should then change it on their account page.`
          : null
      }
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button variant="danger" loading={pending} onClick={confirm}>
            Reset password
          </Button>
        </>
      }
    >
      {problem ? <Alert>{problem}</Alert> : null}
    </Dialog>
  );
}
