"use server";
// Settings → Network egress: the workspace's allow-list of hosts on private networks. Admins only;
// every change is audited.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { authedAction } from "@/lib/server/action";
import { allowEgressHost, removeEgressHost } from "@/lib/use-cases/models";

const then =
  (...paths: string[]) =>
  <T>(result: T): T => {
    for (const p of paths) revalidatePath(p);
    return result;
  };

export const allowEgressHostAction = authedAction(
  { action: "settings.manage", input: z.object({ host: z.string().max(300) }) },
  ({ actor, input, host }) => allowEgressHost(host.platform, actor, input).then(then("/settings/egress")),
);

export const removeEgressHostAction = authedAction(
  { action: "settings.manage", input: z.object({ host: z.string().max(300) }) },
  ({ actor, input, host }) => removeEgressHost(host.platform, actor, input).then(then("/settings/egress")),
);
