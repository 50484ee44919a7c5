// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Alert } from "./alert";
import { Card, CardHeader } from "./card";
import { Field } from "./field";
import { Input } from "./input";
import { Tabs } from "./tabs";

afterEach(cleanup);

describe("Field", () => {
  it("labels the control and ties the inline error to it", () => {
    render(
      <Field label="Email" error="Enter a valid email address" hint="Work address">
        <Input name="email" />
      </Field>,
    );
    const input = screen.getByLabelText("Email");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    const described = (input.getAttribute("aria-describedby") ?? "")
      .split(" ")
      .map((id) => document.getElementById(id)?.textContent);
    expect(described).toEqual(["Work address", "Enter a valid email address"]);
  });

  it("has no error wiring without an error", () => {
    render(
      <Field label="Name">
        <Input name="name" />
      </Field>,
    );
    const input = screen.getByLabelText("Name");
    expect(input.hasAttribute("aria-invalid")).toBe(false);
    expect(input.hasAttribute("aria-describedby")).toBe(false);
  });
});

describe("Field announceError", () => {
  it("gives the error role=alert only when asked", () => {
    render(
      <>
        <Field label="Reason" error="A reason is required" announceError>
          <Input name="reason" />
        </Field>
        <Field label="Note" error="Too long">
          <Input name="note" />
        </Field>
      </>,
    );
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toEqual(["A reason is required"]);
    expect(screen.getByLabelText("Reason").getAttribute("aria-describedby")).toBe(
      screen.getByRole("alert").getAttribute("id"),
    );
  });
});

describe("Alert", () => {
  it("is an alert for danger and a polite status otherwise, unless told", () => {
    render(
      <>
        <Alert>Could not save</Alert>
        <Alert tone="success">Saved</Alert>
        <Alert tone="warning" role="note">
          Heads up
        </Alert>
      </>,
    );
    expect(screen.getByRole("alert").textContent).toBe("Could not save");
    expect(screen.getByRole("status").textContent).toBe("Saved");
    expect(screen.getByRole("note").textContent).toBe("Heads up");
  });
});

describe("CardHeader", () => {
  it("is an h2 whose id can name its card", () => {
    render(
      <Card aria-labelledby="members-h">
        <CardHeader id="members-h" title="Members" description="People here" />
      </Card>,
    );
    expect(screen.getByRole("heading", { level: 2, name: "Members" })).toBeTruthy();
    expect(screen.getByRole("region", { name: "Members" }).textContent).toContain("People here");
  });
});

describe("Tabs", () => {
  it("moves selection with the arrow keys and shows the matching panel", () => {
    render(
      <Tabs
        label="Views"
        tabs={[
          { id: "a", label: "First", content: "Panel A" },
          { id: "b", label: "Second", content: "Panel B" },
        ]}
      />,
    );
    const first = screen.getByRole("tab", { name: "First" });
    expect(first.getAttribute("aria-selected")).toBe("true");
    expect(screen.getByRole("tabpanel").textContent).toBe("Panel A");
    fireEvent.keyDown(first, { key: "ArrowRight" });
    const second = screen.getByRole("tab", { name: "Second" });
    expect(second.getAttribute("aria-selected")).toBe("true");
    expect(second.getAttribute("tabindex")).toBe("0");
    expect(first.getAttribute("tabindex")).toBe("-1");
    expect(screen.getByRole("tabpanel").textContent).toBe("Panel B");
    fireEvent.keyDown(second, { key: "ArrowRight" });
    expect(first.getAttribute("aria-selected")).toBe("true");
  });
});
