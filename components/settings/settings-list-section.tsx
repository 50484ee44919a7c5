"use client";
// The shape the settings sections share: a card with a heading and an "Add" button, an empty
// state or a table of rows with actions, a form in a dialog (with its error), and a confirmed
// destructive action per row. Each section keeps its own labels, columns and fields.
import { useRouter } from "next/navigation";
import { type FormEvent, type ReactNode, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { Dialog } from "@/components/ui/dialog";
import { EmptyState } from "@/components/ui/empty-state";
import type { FormError } from "@/components/ui/field";
import { Table, TBody, TH, THead, TR } from "@/components/ui/table";
import { useToast } from "@/components/ui/toast";
import type { ActionResult } from "@/lib/contracts/app-errors";

/** A form's error and pending state; `general` is the error no field carries. */
export function useFormAction() {
  const [error, setError] = useState<FormError | null>(null);
  const [pending, setPending] = useState(false);
  const general = error && !error.fieldErrors?.length ? error.message : null;
  return { error, setError, pending, setPending, general };
}

/**
 * A row action that asks first (delete, revoke, remove): `target` is the row being confirmed;
 * `confirm` runs the action, then shows its error or `done(row)` and refreshes the page.
 */
export function useConfirmedAction<T>(run: (row: T) => Promise<ActionResult<unknown>>, done: (row: T) => string) {
  const router = useRouter();
  const toast = useToast();
  const [target, setTarget] = useState<T | null>(null);
  const [pending, setPending] = useState(false);

  async function confirm() {
    if (!target) return;
    setPending(true);
    const result = await run(target);
    setPending(false);
    const row = target;
    setTarget(null);
    if (!result.ok) {
      toast.show(result.error.message, "error");
      return;
    }
    toast.show(done(row), "success");
    router.refresh();
  }

  return { target, setTarget, pending, setPending, confirm };
}

/** A dialog holding one form: its general error on top, Cancel and the submit button below. */
export function FormDialog({
  open,
  onClose,
  title,
  description,
  onSubmit,
  submitLabel,
  pending,
  general,
  formKey,
  children,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  description?: ReactNode;
  onSubmit: (event: FormEvent<HTMLFormElement>) => void;
  submitLabel: string;
  pending: boolean;
  general: string | null;
  /** changes to remount the form (fresh default values) */
  formKey?: string;
  children: ReactNode;
}) {
  return (
    <Dialog open={open} onClose={onClose} title={title} description={description}>
      <form key={formKey} onSubmit={onSubmit} className="space-y-4" noValidate>
        {general ? <Alert>{general}</Alert> : null}
        {children}
        <div className="flex justify-end gap-3 pt-2">
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={pending}>
            {submitLabel}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

/**
 * The empty state where there are no rows (when `empty` is given), else a table whose last column
 * holds each row's actions (unless `actions` is false: a read-only table, no such column).
 */
export function SettingsTable<T>({
  label,
  rows,
  empty,
  columns,
  actions = true,
  children,
}: {
  label: string;
  rows: T[];
  empty?: { title: string; description: ReactNode };
  columns: string[];
  actions?: boolean;
  /** one <TR> a row, its last cell the actions */
  children: (row: T) => ReactNode;
}) {
  if (rows.length === 0 && empty)
    return <EmptyState headingLevel={3} title={empty.title} description={empty.description} />;
  return (
    <Table label={label}>
      <THead>
        <TR>
          {columns.map((c) => (
            <TH key={c}>{c}</TH>
          ))}
          {actions ? (
            <TH>
              <span className="sr-only">Actions</span>
            </TH>
          ) : null}
        </TR>
      </THead>
      <TBody>{rows.map(children)}</TBody>
    </Table>
  );
}

/** A settings card: heading (with the "Add" button as its action), then the list or its empty state. */
export function SettingsListSection({
  headingId,
  title,
  description,
  action,
  children,
}: {
  /** when given, the card is labelled by its heading (a named region) */
  headingId?: string;
  title: string;
  description: ReactNode;
  action?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card aria-labelledby={headingId}>
      <CardHeader id={headingId} title={title} description={description} actions={action} />
      {children}
    </Card>
  );
}
