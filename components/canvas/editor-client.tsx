"use client";
// The editor renders in the browser only: React Flow measures every node before showing it, so
// server-rendering hundreds of nodes only adds hydration work to the first paint.
import dynamic from "next/dynamic";
import { type PeopleChoices, PeopleChoicesContext } from "@/lib/nodes/inspector/row-editors";
import { CredentialChoicesContext, type CredentialChoiceView } from "./credential-picker";
import type { EditorProps } from "./editor";

const load = () => import("./editor").then((m) => m.Editor);
// start fetching the editor's code as soon as this page's code runs, not when hydration reaches it
if (typeof window !== "undefined") void load();

const Editor = dynamic(load, {
  ssr: false,
  loading: () => (
    <p role="status" className="p-6 text-sm text-slate-600">
      Loading the editor…
    </p>
  ),
});

/**
 * `people`: the workspace's roles and members for an approval's "Who decides" (editors only);
 * `credentials`: the workspace's credential names and kinds for the http node (editors only).
 */
export function EditorClient({
  people = null,
  credentials = null,
  ...props
}: EditorProps & { people?: PeopleChoices | null; credentials?: CredentialChoiceView[] | null }) {
  return (
    <PeopleChoicesContext.Provider value={people}>
      <CredentialChoicesContext.Provider value={credentials}>
        <Editor {...props} />
      </CredentialChoicesContext.Provider>
    </PeopleChoicesContext.Provider>
  );
}
