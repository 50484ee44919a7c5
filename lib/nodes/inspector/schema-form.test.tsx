// @vitest-environment jsdom
// The side panel's forms write the same config a person would have typed as JSON: durations in
// ms, assignees as role names and user ids, headers as an object, cases and checks as arrays.
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { getNodeDefinition } from "@/lib/nodes/registry";
import { expressionKinds } from "./fields";
import { PeopleChoicesContext } from "./row-editors";
import { SchemaForm } from "./schema-form";

afterEach(cleanup);

/** A SchemaForm that keeps its config, like the editor store does. */
function Host({
  variables,
  type,
  start,
  onConfig,
}: {
  variables: { path: string; hint: string }[];
  type: string;
  start: Record<string, unknown>;
  onConfig(c: Record<string, unknown>): void;
}) {
  const [config, setConfig] = useState(start);
  return (
    <SchemaForm
      type={type}
      config={config}
      variables={variables}
      kinds={expressionKinds(type, config)}
      onChange={(next) => {
        onConfig(next);
        setConfig(next);
      }}
    />
  );
}

/** Renders the form of `type` with the workspace's people; `last()` is the latest config. */
function mount(type: string, start?: Record<string, unknown>, variables: { path: string; hint: string }[] = []) {
  let latest: Record<string, unknown> =
    start ?? (structuredClone(getNodeDefinition(type)!.defaults) as Record<string, unknown>);
  render(
    <PeopleChoicesContext.Provider
      value={{
        roles: ["approver", "editor", "admin"],
        members: [
          { id: "u_ann", name: "Ann Lee", email: "ann@acme.test", role: "approver" },
          { id: "u_bo", name: "", email: "bo@acme.test", role: "editor" },
        ],
      }}
    >
      <Host
        type={type}
        start={latest}
        variables={variables}
        onConfig={(c) => {
          latest = c;
        }}
      />
    </PeopleChoicesContext.Provider>,
  );
  return { last: () => latest };
}

describe("node forms without JSON", () => {
  it("approval: a deadline typed as words is stored in ms, and a typo is explained next to the field", () => {
    const form = mount("approval");
    const deadline = screen.getByLabelText("Deadline") as HTMLInputElement;
    expect(deadline.value).toBe("7 days");
    fireEvent.change(deadline, { target: { value: "2 days" } });
    expect(form.last().timeoutMs).toBe(172_800_000);
    fireEvent.change(deadline, { target: { value: "2 dayz" } });
    expect(screen.getByRole("alert").textContent).toBe("Enter a duration like 2 days, 4 hours or 30 minutes.");
    expect(form.last().timeoutMs).toBe(172_800_000);
    fireEvent.click(screen.getByLabelText("No deadline"));
    expect(form.last().timeoutMs).toBeNull();
  });

  it("approval: who decides is picked from the workspace's roles and members", () => {
    const form = mount("approval");
    const who = screen.getByRole("group", { name: "Who decides" });
    expect((within(who).getByLabelText("Approvers") as HTMLInputElement).checked).toBe(true);
    fireEvent.click(within(who).getByLabelText(/Ann Lee/));
    fireEvent.click(within(who).getByLabelText("Admins"));
    expect(form.last().assignees).toEqual({ roles: ["approver", "admin"], users: ["u_ann"] });
    fireEvent.click(within(who).getByLabelText("Approvers"));
    fireEvent.click(within(who).getByLabelText("Admins"));
    fireEvent.click(within(who).getByLabelText(/Ann Lee/));
    expect(form.last().assignees).toEqual({ roles: [], users: [] });
    expect(screen.getByText("Name at least one role or user who can decide.")).toBeTruthy();
  });

  it("http: headers are name/value rows; 'Edit as JSON' stays available", () => {
    const form = mount("http");
    fireEvent.click(screen.getByRole("button", { name: "Add header" }));
    fireEvent.change(screen.getByLabelText("Header 1 name"), { target: { value: "Accept" } });
    fireEvent.change(screen.getByLabelText("Header 1 value"), { target: { value: "application/json" } });
    fireEvent.click(screen.getByRole("button", { name: "Add header" }));
    fireEvent.change(screen.getByLabelText("Header 2 name"), { target: { value: "X-Customer" } });
    fireEvent.change(screen.getByLabelText("Header 2 value"), { target: { value: "{{ input.id }}" } });
    expect(form.last().headers).toEqual({ Accept: "application/json", "X-Customer": "{{ input.id }}" });
    fireEvent.click(screen.getByRole("button", { name: "Remove header 1" }));
    expect(form.last().headers).toEqual({ "X-Customer": "{{ input.id }}" });
    fireEvent.click(screen.getByRole("button", { name: "Edit Headers as JSON" }));
    expect(JSON.parse((screen.getByLabelText(/^Headers/) as HTMLTextAreaElement).value)).toEqual({
      "X-Customer": "{{ input.id }}",
    });
  });

  it("condition: cases are rows of a branch name and when it is taken", () => {
    const form = mount("condition");
    fireEvent.click(screen.getByRole("button", { name: "Add case" }));
    const second = screen.getByRole("group", { name: "Case 2" });
    fireEvent.change(within(second).getByLabelText("Branch name"), { target: { value: "big" } });
    fireEvent.change(within(second).getByLabelText("Take it when (JSONata)"), {
      target: { value: "input.amount > 100" },
    });
    expect(form.last().cases).toEqual([
      { handle: "yes", when: "true" },
      { handle: "big", when: "input.amount > 100" },
    ]);
  });

  it("guardrail: checks are rows whose fields follow their kind", () => {
    const form = mount("guardrail");
    const first = screen.getByRole("group", { name: "Check 1" });
    fireEvent.change(within(first).getByLabelText("Kind"), { target: { value: "regex" } });
    fireEvent.change(within(first).getByLabelText("Pattern"), { target: { value: "\\d{16}" } });
    fireEvent.click(within(first).getByLabelText("Ignore upper and lower case"));
    fireEvent.change(within(first).getByLabelText("Message when it fails (optional)"), {
      target: { value: "No card numbers" },
    });
    expect(form.last().checks).toEqual([
      { type: "regex", pattern: "\\d{16}", mode: "forbid", flags: "i", message: "No card numbers" },
    ]);
  });

  it("a row's value takes a variable from the picker, into the row last focused", () => {
    const form = mount("set", { vars: { who: "Dear ", what: "" } }, [{ path: "input.name", hint: "Input field name" }]);
    fireEvent.focus(screen.getByLabelText("Variable 1 value"));
    fireEvent.click(screen.getByText("Insert a variable into variable 1"));
    fireEvent.click(screen.getByRole("button", { name: "input.name" }));
    expect(form.last().vars).toEqual({ who: "Dear {{ input.name }}", what: "" });
  });

  it("set: variables are name/value rows and keep values that are not text", () => {
    const form = mount("set", { vars: { who: "{{ input.name }}", meta: { a: 1 } } });
    fireEvent.change(screen.getByLabelText("Variable 1 value"), { target: { value: "Ann" } });
    expect(form.last().vars).toEqual({ who: "Ann", meta: { a: 1 } });
  });
});
