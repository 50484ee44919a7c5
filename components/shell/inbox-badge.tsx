"use client";
// The count next to "Inbox". Server-rendered first, then kept fresh by polling and on window
// focus. After deciding an approval, call
//   queryClient.invalidateQueries({ queryKey: INBOX_COUNT_QUERY_KEY })
// to update it at once.
import { useQuery } from "@tanstack/react-query";
import { inboxCountAction } from "./actions";

export const INBOX_COUNT_QUERY_KEY = ["inbox-count"] as const;

export function useInboxCount(initial: number): number {
  const { data } = useQuery({
    queryKey: INBOX_COUNT_QUERY_KEY,
    queryFn: async () => {
      const result = await inboxCountAction({});
      if (!result.ok) throw new Error(result.error.message);
      return result.data;
    },
    initialData: initial,
    initialDataUpdatedAt: Date.now(),
    refetchInterval: 30_000,
  });
  return data ?? initial;
}

export function InboxCount({ count }: { count: number }) {
  if (count <= 0) return null;
  return (
    <span className="ml-1.5 inline-flex min-w-5 items-center justify-center rounded-full bg-blue-600 px-1.5 text-xs font-semibold text-white">
      {count > 99 ? "99+" : count}
    </span>
  );
}
