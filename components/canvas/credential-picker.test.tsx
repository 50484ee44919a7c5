// @vitest-environment jsdom
// The http node's credential picker: lists the workspace's credentials by name with their kind,
// says how the chosen one is sent, and falls back to a text field when the page loaded none.
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CredentialChoicesContext, CredentialPicker } from "./credential-picker";

afterEach(cleanup);

const choices = [
  { name: "crm", kind: "header", field: "X-Api-Key" },
  { name: "github", kind: "bearer", field: null },
];

describe("CredentialPicker", () => {
  it("offers the credentials by name and kind, and says how the chosen one is sent", () => {
    const onValue = vi.fn();
    render(
      <CredentialChoicesContext.Provider value={choices}>
        <CredentialPicker id="c" value="crm" onValue={onValue} />
      </CredentialChoicesContext.Provider>,
    );
    const select = screen.getByRole("combobox") as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual(["— none —", "crm (header)", "github (bearer)"]);
    expect(screen.getByText(/Sent as header X-Api-Key/)).toBeTruthy();
    fireEvent.change(select, { target: { value: "github" } });
    expect(onValue).toHaveBeenCalledWith("github");
    fireEvent.change(select, { target: { value: "" } });
    expect(onValue).toHaveBeenLastCalledWith(undefined);
  });

  it("keeps a name that is not in the workspace visible, and is a text field without a list", () => {
    render(
      <CredentialChoicesContext.Provider value={choices}>
        <CredentialPicker id="c" value="gone" onValue={() => {}} />
      </CredentialChoicesContext.Provider>,
    );
    expect(screen.getByText("gone (not in this workspace)")).toBeTruthy();
    cleanup();
    render(<CredentialPicker id="c" value="typed" onValue={() => {}} />);
    expect((screen.getByRole("textbox") as HTMLInputElement).value).toBe("typed");
  });
});
