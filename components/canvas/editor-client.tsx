"use client";
// The editor renders in the browser only: React Flow measures every node before showing it, so
// server-rendering hundreds of nodes only adds hydration work to the first paint.
import dynamic from "next/dynamic";
import type { EditorProps } from "./editor";

const Editor = dynamic(() => import("./editor").then((m) => m.Editor), {
  ssr: false,
  loading: () => (
    <p role="status" className="p-6 text-sm text-slate-600">
      Loading the editor…
    </p>
  ),
});

export function EditorClient(props: EditorProps) {
  return <Editor {...props} />;
}
