// Where a signed-in member lands when no page was asked for: an approver's work is the Inbox;
// everyone else starts at the workflows.
import type { Role } from "./roles";

export function homePathFor(role: Role | string): string {
  return role === "approver" ? "/inbox" : "/workflows";
}
