import { type Checked, fieldProps, submitForm } from "../../../console/src/forms/submit";
import type { FieldErrors } from "../../../console/src/validate";

/**
 * The console's forms (Users: invite, change groups; Budgets: request a change) share one submit
 * and one markup (console/src/forms). The browser test (test/integration/console.test.ts) drives
 * them through the real API; here the submit's order and the fields' accessible errors are checked
 * without one (the markup itself, console/src/forms/Form.tsx, needs the DOM and the browser test).
 */

/** A form's state as React would hold it, recording every change in order. */
function recorder() {
  const log: string[] = [];
  let errors: FieldErrors = {};
  return {
    log,
    errors: () => errors,
    state: {
      setErrors: (e: FieldErrors) => {
        errors = e;
        log.push(`errors ${JSON.stringify(e)}`);
      },
      setBusy: (b: boolean) => log.push(`busy ${b}`),
    },
  };
}

describe("a console form's submit", () => {
  it("refuses invalid input field by field and sends nothing", async () => {
    const r = recorder();
    const send = jest.fn(async () => "sent");
    const onDone = jest.fn();
    await submitForm(
      {
        validate: (): Checked<string> => ({ ok: false, errors: { groups: "must name at least one group" } }),
        send,
        onDone,
      },
      r.state,
    );
    expect(r.log).toEqual(['errors {"groups":"must name at least one group"}']);
    expect(send).not.toHaveBeenCalled();
    expect(onDone).not.toHaveBeenCalled();
  });

  it("sends the checked value while busy, then clears the errors and gives the notice", async () => {
    const r = recorder();
    const onDone = jest.fn((text: string) => r.log.push(`done ${text}`));
    await submitForm(
      {
        validate: () => ({ ok: true, value: { email: "a@example.com" } }),
        send: async (v) => {
          r.log.push(`send ${v.email}`);
          return `Invited ${v.email}`;
        },
        onDone,
      },
      r.state,
    );
    expect(r.log).toEqual([
      "busy true",
      "send a@example.com",
      "errors {}",
      "done Invited a@example.com",
      "busy false",
    ]);
  });

  it("shows a refused send's message as the form's error, gives no notice and is no longer busy", async () => {
    const r = recorder();
    const onDone = jest.fn();
    await submitForm(
      {
        validate: () => ({ ok: true, value: 1 }),
        send: async () => {
          throw new Error("409: a user with this email exists");
        },
        onDone,
      },
      r.state,
    );
    expect(r.errors()).toEqual({ form: "409: a user with this email exists" });
    expect(onDone).not.toHaveBeenCalled();
    expect(r.log.at(-1)).toBe("busy false");
  });
});

describe("a console form's fields", () => {
  it("are valid and described by nothing while they have no error", () => {
    expect(fieldProps("invite", {}, "email")).toEqual({
      "aria-invalid": undefined,
      "aria-describedby": undefined,
    });
  });

  it("are invalid and described by their own error while they have one (the ids the browser test reads)", () => {
    const errors = { groups: "must name at least one group" };
    expect(fieldProps("invite", errors, "groups")).toEqual({
      "aria-invalid": true,
      "aria-describedby": "invite-groups-error",
    });
    expect(fieldProps("change", { amountUsd: "too many decimals" }, "amountUsd")["aria-describedby"]).toBe(
      "change-amountUsd-error",
    );
    expect(fieldProps("invite", errors, "email")["aria-invalid"]).toBeUndefined();
  });
});
