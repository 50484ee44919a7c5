import { redirect } from "next/navigation";
import { getActor } from "@/lib/server/session";

export const dynamic = "force-dynamic";

/** "/" goes to the workflows for a signed-in user, to the sign-in page otherwise. */
export default async function Home() {
  const actor = await getActor();
  redirect(actor ? "/workflows" : "/signin");
}
