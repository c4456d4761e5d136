import { type ReactNode, useState } from "react";
import { ErrorMessage } from "../ui";
import type { FieldErrors } from "../validate";
import { type FieldAria, fieldErrorId, fieldProps, type SubmitSteps, submitForm } from "./submit";

/** A console form's state: its field errors, whether it is sending, and its submit. */
export interface FormState {
  /** Ids of the form's parts start with this: `<id>-title`, `<id>-<field>`, `<id>-<field>-error`. */
  readonly id: string;
  readonly errors: FieldErrors;
  readonly busy: boolean;
  setErrors(errors: FieldErrors): void;
  submit(): Promise<void>;
  /** aria-invalid and aria-describedby of a field, pointing at its error while it has one. */
  fieldProps(field: string): FieldAria;
}

/** The state of the form `id` whose submit takes these steps (./submit.ts). */
export function useForm<T>(id: string, steps: SubmitSteps<T>): FormState {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [busy, setBusy] = useState(false);
  return {
    id,
    errors,
    busy,
    setErrors,
    submit: () => submitForm(steps, { setErrors, setBusy }),
    fieldProps: (field) => fieldProps(id, errors, field),
  };
}

/**
 * A card form named by its heading (role form, labelled by `<id>-title`), the browser's own
 * validation off (the API's schema speaks instead), the form's error as an alert above its submit
 * button, which is disabled while sending.
 */
export function Form({
  form,
  title,
  submitLabel,
  children,
}: {
  form: FormState;
  title: string;
  submitLabel: string;
  children: ReactNode;
}) {
  return (
    <form
      className="card-form"
      aria-labelledby={`${form.id}-title`}
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        void form.submit();
      }}
    >
      <h3 id={`${form.id}-title`}>{title}</h3>
      {children}
      {form.errors.form && <ErrorMessage>{form.errors.form}</ErrorMessage>}
      <button type="submit" disabled={form.busy}>
        {submitLabel}
      </button>
    </form>
  );
}

/** A field's error, named by the field's label ("Email: …"), the target of its aria-describedby. */
export function FieldError({ form, field, label }: { form: FormState; field: string; label: string }) {
  const error = form.errors[field];
  return error ? (
    <span className="field-error" id={fieldErrorId(form.id, field)}>
      {label}: {error}
    </span>
  ) : null;
}
