// UI primitives. Accessible by construction (labels, roles, focus), styled with Tailwind.
export type { ActionError, ActionResult, Issue } from "@/lib/contracts/app-errors";
export { Alert, type AlertTone, alertClass } from "./alert";
export { Badge, type BadgeTone } from "./badge";
export { Button, type ButtonProps, buttonClass } from "./button";
export { Card, CardHeader } from "./card";
export { cn } from "./cn";
export { CopyButton } from "./copy-button";
export { ConfirmDialog, Dialog } from "./dialog";
export { EmptyState } from "./empty-state";
export { Field, type FieldControlProps, FieldError, type FormError, fieldError } from "./field";
export { HeadingRow, type HeadingRowProps } from "./heading-row";
export { controlClass, Input, Textarea } from "./input";
export { Label } from "./label";
export { Select } from "./select";
export { Table, TBody, TD, TH, THead, TR } from "./table";
export { type TabItem, Tabs } from "./tabs";
export { ToastProvider, useToast } from "./toast";
