// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { EditForm } from "./edit-form";

afterEach(cleanup);

const schema = {
  type: "object",
  properties: {
    customer: { type: "string", title: "Customer" },
    amount: { type: "number", title: "Amount", maximum: 100 },
    currency: { enum: ["USD", "EUR"] },
    urgent: { type: "boolean" },
    address: { type: "object", properties: { city: { type: "string" } } },
    lines: { type: "array", items: { type: "object" } },
  },
  required: ["customer", "amount"],
};

describe("EditForm (generated from editSchema)", () => {
  it("renders one labelled control per property, pre-filled from the payload, and submits the edited data", () => {
    const onSubmit = vi.fn();
    render(
      <EditForm
        schema={schema}
        initial={{
          customer: "Ann",
          amount: 120,
          currency: "USD",
          urgent: false,
          address: { city: "Oslo" },
          lines: [{ sku: "A" }],
        }}
        serverErrors={[]}
        pending={false}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
    );
    expect((screen.getByLabelText("Customer *") as HTMLInputElement).value).toBe("Ann");
    expect((screen.getByLabelText("Amount *") as HTMLInputElement).type).toBe("number");
    expect(screen.getByLabelText("currency").tagName).toBe("SELECT");
    expect((screen.getByLabelText("urgent") as HTMLInputElement).type).toBe("checkbox");
    expect((screen.getByLabelText("city") as HTMLInputElement).value).toBe("Oslo");
    expect(screen.getByLabelText("lines").tagName).toBe("TEXTAREA");
    fireEvent.change(screen.getByLabelText("Amount *"), { target: { value: "90" } });
    fireEvent.change(screen.getByLabelText("city"), { target: { value: "Bergen" } });
    fireEvent.click(screen.getByRole("button", { name: "Save and approve" }));
    expect(onSubmit).toHaveBeenCalledWith({
      customer: "Ann",
      amount: 90,
      currency: "USD",
      urgent: false,
      address: { city: "Bergen" },
      lines: [{ sku: "A" }],
    });
  });

  it("shows the server's field errors under the fields they name, and refuses invalid JSON before sending", () => {
    const onSubmit = vi.fn();
    render(
      <EditForm
        schema={schema}
        initial={{ customer: "Ann", amount: 500, lines: [] }}
        serverErrors={[{ path: "data.amount", message: "must be <= 100" }]}
        pending={false}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
    );
    expect(screen.getByRole("alert").textContent).toBe("Amount: must be <= 100");
    expect(screen.getByLabelText("Amount *").getAttribute("aria-invalid")).toBe("true");
    fireEvent.change(screen.getByLabelText("lines"), { target: { value: "[ not json" } });
    fireEvent.click(screen.getByRole("button", { name: "Save and approve" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getAllByRole("alert").map((a) => a.textContent)).toContain("lines: is not valid JSON");
  });
});

describe("EditForm without an edit schema", () => {
  it("opens with the text the approver was shown and approves plain text as text", () => {
    const onSubmit = vi.fn();
    render(
      <EditForm
        schema={null}
        initial="Dear Ann, your refund is on its way."
        serverErrors={[]}
        pending={false}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
    );
    const box = screen.getByLabelText("Text to approve") as HTMLTextAreaElement;
    expect(box.value).toBe("Dear Ann, your refund is on its way.");
    fireEvent.change(box, { target: { value: "Dear Ann, your refund of $20 is on its way." } });
    fireEvent.click(screen.getByRole("button", { name: "Save and approve" }));
    expect(onSubmit).toHaveBeenCalledWith("Dear Ann, your refund of $20 is on its way.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("opens with the data as JSON (not {}) and says once when it does not parse", () => {
    const onSubmit = vi.fn();
    render(
      <EditForm
        schema={undefined}
        initial={{ amount: 20 }}
        serverErrors={[]}
        pending={false}
        onSubmit={onSubmit}
        onCancel={() => {}}
      />,
    );
    const box = screen.getByLabelText("Data *") as HTMLTextAreaElement;
    expect(JSON.parse(box.value)).toEqual({ amount: 20 });
    fireEvent.change(box, { target: { value: "{ amount: " } });
    fireEvent.click(screen.getByRole("button", { name: "Save and approve" }));
    expect(onSubmit).not.toHaveBeenCalled();
    expect(screen.getAllByRole("alert")).toHaveLength(1);
    fireEvent.change(box, { target: { value: '{ "amount": 25 }' } });
    fireEvent.click(screen.getByRole("button", { name: "Save and approve" }));
    expect(onSubmit).toHaveBeenCalledWith({ amount: 25 });
  });
});
