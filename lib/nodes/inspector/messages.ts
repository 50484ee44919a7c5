// zod's issues in the words a person who has never written JSON understands, shown next to the
// field. Messages a definition wrote itself (custom issues, regex messages) are already in words
// and pass through; zod's generic wording ("Invalid input: expected string, received undefined")
// never reaches the side panel.
import type { z } from "zod";
import type { FieldEditorKind } from "@/lib/contracts/node-definition";
import { formatDuration } from "./duration";

type Issue = z.core.$ZodIssue;

const where = (issue: Issue) => {
  // inside a list: "Row 2: …" (path [field, index, key])
  const index = issue.path.find((p) => typeof p === "number");
  return typeof index === "number" ? `Row ${index + 1}: ` : "";
};

/** One issue of a node's config in plain words; `editor` is the field's purpose-built control, if any. */
export function plainIssue(issue: Issue, editor?: FieldEditorKind): string {
  const prefix = where(issue);
  if (editor === "duration" || (editor === "escalation" && issue.path.at(-1) === "timeoutMs")) {
    if (issue.code === "too_small")
      return `${prefix}Enter a duration like 2 days or 4 hours (at least ${formatDuration(Number(issue.minimum))}).`;
    if (issue.code === "too_big")
      return `${prefix}Enter a duration like 2 days or 4 hours (at most ${formatDuration(Number(issue.maximum))}).`;
    if (issue.code === "invalid_type") return `${prefix}Enter a duration like 2 days or 4 hours.`;
  }
  switch (issue.code) {
    case "invalid_type":
      if (/received undefined/.test(issue.message)) return `${prefix}Fill this in.`;
      if (issue.expected === "number" || issue.expected === "int") return `${prefix}Enter a number.`;
      if (issue.expected === "string") return `${prefix}Enter some text.`;
      if (issue.expected === "boolean") return `${prefix}Tick or untick this box.`;
      if (issue.expected === "array") return `${prefix}Add a list of entries here.`;
      if (issue.expected === "object" || issue.expected === "record") return `${prefix}Add name and value pairs here.`;
      return `${prefix}This value has the wrong kind (expected ${issue.expected}).`;
    case "too_small":
      if (issue.origin === "string") return `${prefix}Fill this in.`;
      if (issue.origin === "array" || issue.origin === "set")
        return Number(issue.minimum) <= 1 ? `${prefix}Add at least one.` : `${prefix}Add at least ${issue.minimum}.`;
      return `${prefix}Enter ${issue.inclusive === false ? "more than" : "at least"} ${issue.minimum}.`;
    case "too_big":
      if (issue.origin === "string") return `${prefix}Make this shorter (at most ${issue.maximum} characters).`;
      if (issue.origin === "array" || issue.origin === "set") return `${prefix}Use at most ${issue.maximum} entries.`;
      return `${prefix}Enter ${issue.inclusive === false ? "less than" : "at most"} ${issue.maximum}.`;
    case "invalid_value":
      return `${prefix}Choose one of: ${issue.values.map(String).join(", ")}.`;
    case "unrecognized_keys":
      return `${prefix}Remove ${issue.keys.map((k) => `"${k}"`).join(", ")}: this step does not use ${issue.keys.length === 1 ? "it" : "them"}.`;
    case "invalid_key": {
      // a name in a name → value list (a header name): the key is the last path part
      const name = issue.path.at(-1);
      const inner = issue.issues[0]?.message ?? "";
      const why = inner && !/^Invalid/.test(inner) ? inner.replace(/\.$/, "") : "is not allowed here";
      return `${prefix}"${String(name)}" ${why}.`;
    }
    case "invalid_union":
      return `${prefix}This entry is not one of the kinds this field takes.`;
    case "invalid_format": {
      // a regex with a message of its own ("must be a valid header name") says it better
      const own = !/^Invalid/.test(issue.message);
      return own ? `${prefix}${capitalise(issue.message)}.` : `${prefix}This is not in the expected format.`;
    }
    default: {
      // custom issues are written by the definitions, in words; name the row when there is one
      const text = issue.message;
      return prefix && !text.startsWith("Row ") ? `${prefix}${text}` : text;
    }
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).replace(/\.$/, "");
}
