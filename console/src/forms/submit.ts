/**
 * The submit of every console form, written once: validate with the API's schema (../validate.ts),
 * refuse field by field before sending, send, then say what was done; an API refusal becomes the
 * form's error; and how a field points at its error. React- and DOM-free, so it is unit-tested
 * (test/unit/console/forms.test.ts); Form.tsx holds the state and the markup.
 */
import type { FieldErrors } from "../validate";

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export interface SubmitSteps<T> {
  /** The form's input checked against the API's schema (check() of ../validate.ts). */
  validate(): Checked<T>;
  /** Sends the checked value, clears what the form should clear, and resolves to the notice shown. */
  send(value: T): Promise<string>;
  /** Receives the notice of a successful send. */
  onDone(text: string): void;
}

export interface SubmitState {
  setErrors(errors: FieldErrors): void;
  setBusy(busy: boolean): void;
}

/**
 * Invalid input: its field errors, nothing sent. Valid: busy while sending, then no errors and the
 * notice; a failed send keeps the input and shows the API's message as the form's error.
 */
export async function submitForm<T>(steps: SubmitSteps<T>, state: SubmitState): Promise<void> {
  const parsed = steps.validate();
  if (!parsed.ok) {
    state.setErrors(parsed.errors);
    return;
  }
  state.setBusy(true);
  try {
    const text = await steps.send(parsed.value);
    state.setErrors({});
    steps.onDone(text);
  } catch (e) {
    state.setErrors({ form: (e as Error).message });
  } finally {
    state.setBusy(false);
  }
}

/** The id of the error of the field `field` of the form `formId` ("invite-email-error"). */
export function fieldErrorId(formId: string, field: string): string {
  return `${formId}-${field}-error`;
}

export interface FieldAria {
  readonly "aria-invalid": true | undefined;
  readonly "aria-describedby": string | undefined;
}

/** A field of the form `formId`: invalid and described by its error while it has one. */
export function fieldProps(formId: string, errors: FieldErrors, field: string): FieldAria {
  return {
    "aria-invalid": errors[field] ? true : undefined,
    "aria-describedby": errors[field] ? fieldErrorId(formId, field) : undefined,
  };
}
