import { Badge } from "@/components/ui/badge";
import { statusTone } from "./format";

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{status}</Badge>;
}
