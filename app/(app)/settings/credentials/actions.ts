"use server";
// Settings → Credentials: create, replace the value, delete. Admins only (credential.manage);
// values go into the vault and are never returned.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { createCredential, deleteCredential, replaceCredential } from "@/lib/use-cases/models";

/** A form text: "" means not given (the use case trims and validates, naming the field). */
const text = z
  .string()
  .max(70_000)
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v));

const then =
  (...paths: string[]) =>
  <T>(result: T): T => {
    for (const p of paths) revalidatePath(p);
    return result;
  };

export const createCredentialAction = authedAction(
  {
    action: "credential.manage",
    input: z.object({ name: z.string().max(200), kind: z.string().max(50), field: text, value: text }),
  },
  ({ actor, input, host }) =>
    createCredential(host.platform, actor, input as Parameters<typeof createCredential>[2]).then(
      then("/settings/credentials"),
    ),
);

export const replaceCredentialAction = authedAction(
  { action: "credential.manage", input: z.object({ name: z.string().max(200), value: text }) },
  ({ actor, input, host }) =>
    replaceCredential(host.platform, actor, input as Parameters<typeof replaceCredential>[2]).then(
      then("/settings/credentials"),
    ),
);

export const deleteCredentialAction = authedAction(
  { action: "credential.manage", input: z.object({ name: z.string().max(200) }) },
  ({ actor, input, host }) => deleteCredential(host.platform, actor, input).then(then("/settings/credentials")),
);
