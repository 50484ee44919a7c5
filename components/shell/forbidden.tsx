import { EmptyState } from "@/components/ui/empty-state";

/** Shown instead of a page the signed-in role may not use. */
export function Forbidden({ what = "this page" }: { what?: string }) {
  return (
    <div className="mx-auto max-w-xl px-4 py-16">
      <EmptyState
        headingLevel={1}
        title="You don't have access"
        description={`Your role does not allow you to open ${what}. Ask an admin of your workspace if you need it.`}
      />
    </div>
  );
}
