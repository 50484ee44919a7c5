"use client";
// A time that reads "3 min ago" in the browser. The server (and the browser's first render,
// which must match it) show a stable absolute UTC time instead: a relative text computed on the
// server and again in the browser differs when a minute boundary passes in between, and React
// then reports a hydration mismatch (#418).
import { useEffect, useState } from "react";

/** "2026-12-07 04:25 UTC": the same text on every machine and in every time zone. */
export function absoluteUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** "just now", "12 min ago", "3 h ago", then the local date. */
export function relativeText(iso: string, now = Date.now()): string {
  const s = (now - new Date(iso).getTime()) / 1000;
  if (s < 60) return "just now";
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function RelativeTime({ iso, className }: { iso: string; className?: string }) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return (
    <time dateTime={iso} title={absoluteUtc(iso)} className={className}>
      {mounted ? relativeText(iso) : absoluteUtc(iso)}
    </time>
  );
}
