"use client";

import { useState } from "react";
import { Button } from "./button";

/** Copies `text` to the clipboard; says "Copied" afterwards (until it unmounts, e.g. its dialog closes). */
export function CopyButton({ text, label = "Copy" }: { text: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="secondary"
      size="sm"
      onClick={async () => {
        await navigator.clipboard?.writeText(text);
        setCopied(true);
      }}
    >
      {copied ? "Copied" : label}
    </Button>
  );
}
