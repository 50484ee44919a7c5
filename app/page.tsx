import { redirect } from "next/navigation";
import { homePathFor } from "@/lib/auth/home";
import { getActor } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/** "/" goes to the member's home (the Inbox for an approver, the workflows otherwise), or to sign-in. */
export default async function Home() {
  const actor = await getActor();
  redirect(actor ? homePathFor(actor.role) : "/signin");
}
