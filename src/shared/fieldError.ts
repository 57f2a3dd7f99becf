/**
 * The one-line error an API answers for a request that fails its zod schema: the first issue, with the
 * field's path, worded for a person ("surname: is required").
 */
import type { z } from 'zod';

export interface FieldError {
  error: string;
  field: string;
}

/** The first problem zod found, as the contract's `{error, field}`. */
export function firstError(error: z.ZodError): FieldError {
  const issue = error.issues[0];
  // A key the schema does not know is named itself, so the person sees which field to remove.
  if (issue?.code === 'unrecognized_keys' && issue.keys.length > 0) {
    const field = [...issue.path, issue.keys[0]].join('.');
    return { error: `${field}: is not a field of this request; remove it`, field };
  }
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
  // zod says "Invalid input: expected string, received undefined" for a field left out.
  const missing = issue?.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const message = missing ? 'is required' : (issue?.message ?? 'invalid input');
  return { error: `${field}: ${message}`, field };
}
