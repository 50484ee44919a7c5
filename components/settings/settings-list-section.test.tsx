// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TD, TR } from "@/components/ui/table";
import { FormDialog, SettingsListSection, SettingsTable } from "./settings-list-section";

afterEach(cleanup);
beforeAll(() => {
  // jsdom has <dialog> but not its modal methods
  HTMLDialogElement.prototype.showModal ??= function (this: HTMLDialogElement) {
    this.open = true;
  };
  HTMLDialogElement.prototype.close ??= function (this: HTMLDialogElement) {
    this.open = false;
  };
});

const hosts = (rows: string[]) => (
  <SettingsTable
    label="Allowed private hosts"
    rows={rows}
    empty={{ title: "No private hosts allowed", description: "Calls are refused." }}
    columns={["Host"]}
  >
    {(h) => (
      <TR key={h}>
        <TD>{h}</TD>
        <TD>
          <button type="button">Remove {h}</button>
        </TD>
      </TR>
    )}
  </SettingsTable>
);

const columnHeaders = (table: HTMLElement) =>
  within(table)
    .getAllByRole("columnheader")
    .map((h) => h.textContent);

describe("SettingsTable", () => {
  it("shows the empty state, and no table, without rows", () => {
    render(hosts([]));
    expect(screen.getByRole("heading", { level: 3, name: "No private hosts allowed" })).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("names the table, heads its columns and a screen-reader-only Actions column, one row each", () => {
    render(hosts(["127.0.0.1:11434", "ollama.internal"]));
    const table = screen.getByRole("table", { name: "Allowed private hosts" });
    expect(columnHeaders(table)).toEqual(["Host", "Actions"]);
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByRole("button", { name: "Remove ollama.internal" })).toBeTruthy();
  });

  it("without actions has no Actions column; without an empty state it is an empty table", () => {
    render(
      <SettingsTable label="Members" rows={[] as string[]} columns={["Name", "Role"]} actions={false}>
        {(name) => (
          <TR key={name}>
            <TD>{name}</TD>
          </TR>
        )}
      </SettingsTable>,
    );
    const table = screen.getByRole("table", { name: "Members" });
    expect(columnHeaders(table)).toEqual(["Name", "Role"]);
    expect(within(table).getAllByRole("row")).toHaveLength(1);
  });
});

describe("SettingsListSection", () => {
  it("is a region named by its heading only when given a heading id", () => {
    const { rerender } = render(
      <SettingsListSection
        headingId="x-heading"
        title="Credentials"
        description="d"
        action={<button type="button">Add</button>}
      >
        <p>list</p>
      </SettingsListSection>,
    );
    expect(screen.getByRole("region", { name: "Credentials" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 2, name: "Credentials" }).id).toBe("x-heading");
    rerender(
      <SettingsListSection title="API keys" description="d">
        <p>list</p>
      </SettingsListSection>,
    );
    expect(screen.queryByRole("region")).toBeNull();
    expect(screen.getByRole("heading", { level: 2, name: "API keys" })).toBeTruthy();
  });
});

describe("FormDialog", () => {
  it("shows the general error, submits the form and cancels", () => {
    const onSubmit = vi.fn((e: { preventDefault(): void }) => e.preventDefault());
    const onClose = vi.fn();
    render(
      <FormDialog
        open
        onClose={onClose}
        title="Create credential"
        onSubmit={onSubmit}
        submitLabel="Create credential"
        pending={false}
        general="That name is taken."
      >
        <input name="name" aria-label="Name" />
      </FormDialog>,
    );
    const dialog = screen.getByRole("dialog", { name: "Create credential" });
    expect(within(dialog).getByRole("alert").textContent).toContain("That name is taken.");
    fireEvent.click(within(dialog).getByRole("button", { name: "Create credential" }));
    expect(onSubmit).toHaveBeenCalledTimes(1);
    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });
});
