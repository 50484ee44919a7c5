"use client";
// A labelled form control with an optional hint and an inline error. The control gets the
// id, aria-invalid and aria-describedby it needs, so screen readers read the error with it.
//   <Field label="Email" error={errors.email}><Input name="email" type="email" /></Field>
//   <Field label="Role">{(props) => <Select {...props} name="role">…</Select>}</Field>
// announceError gives the error role="alert", for errors that appear after a submit and should
// be read out at once (the inbox's decision forms).
import { cloneElement, isValidElement, type ReactElement, type ReactNode, useId } from "react";
import type { ActionError, Issue } from "@/lib/contracts/app-errors";
import { cn } from "./cn";
import { Label } from "./label";

export type FieldControlProps = {
  id: string;
  "aria-invalid"?: boolean;
  "aria-describedby"?: string;
};

export function Field({
  label,
  hint,
  error,
  id: givenId,
  announceError = false,
  className,
  children,
}: {
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  id?: string;
  announceError?: boolean;
  className?: string;
  children: ReactElement | ((props: FieldControlProps) => ReactNode);
}) {
  const autoId = useId();
  const id = givenId ?? autoId;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  const controlProps: FieldControlProps = {
    id,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
  };
  const control =
    typeof children === "function"
      ? children(controlProps)
      : isValidElement(children)
        ? cloneElement(children as ReactElement<FieldControlProps>, controlProps)
        : children;
  return (
    <div className={cn("space-y-1.5", className)}>
      <Label htmlFor={id}>{label}</Label>
      {control}
      {hint ? (
        <p id={hintId} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {error ? (
        <FieldError id={errorId} announce={announceError}>
          {error}
        </FieldError>
      ) : null}
    </div>
  );
}

/** The inline error under a control, for layouts Field does not cover (checkboxes, fieldsets). */
export function FieldError({
  id,
  announce = false,
  children,
}: {
  id?: string;
  announce?: boolean;
  children: ReactNode;
}) {
  return (
    <p id={id} role={announce ? "alert" : undefined} className="text-sm text-red-700">
      {children}
    </p>
  );
}

/** The error half of an ActionResult, as client components see it. */
export type FormError = ActionError;

/** Looks up the message for one path in an ActionResult's fieldErrors. */
export function fieldError(fieldErrors: Issue[] | undefined, path: string): string | undefined {
  return fieldErrors?.find((e) => e.path === path)?.message;
}
