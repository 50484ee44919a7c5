import { Field, type FormError, fieldError } from "@/components/ui/field";
import { Select } from "@/components/ui/select";
import { ROLE_LABELS, ROLES, type Role } from "@/lib/auth/roles";

/** The "Role" choice of the add-member and create-key dialogs, with its inline error. */
export function RoleField({ defaultRole, error }: { defaultRole: Role; error: FormError | null | undefined }) {
  return (
    <Field label="Role" error={fieldError(error?.fieldErrors, "role")}>
      <Select name="role" defaultValue={defaultRole}>
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {ROLE_LABELS[r]}
          </option>
        ))}
      </Select>
    </Field>
  );
}
