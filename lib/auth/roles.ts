// The four workspace roles, from most to least powerful. Stored as strings in Membership.role
// and ApiKey.role (SQLite has no enums), validated with RoleSchema wherever they are read.
import { z } from "zod";

export const ROLES = ["admin", "editor", "approver", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const RoleSchema = z.enum(ROLES);

export const ROLE_LABELS: Record<Role, string> = {
  admin: "Admin",
  editor: "Editor",
  approver: "Approver",
  viewer: "Viewer",
};

export const ROLE_DESCRIPTIONS: Record<Role, string> = {
  admin: "Everything, including members, API keys, settings and the audit trail.",
  editor: "Builds, publishes and runs workflows; decides approvals assigned to editors.",
  approver: "Reads workflows and runs; decides approvals assigned to them.",
  viewer: "Reads workflows, runs and the dashboard; changes nothing.",
};

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
