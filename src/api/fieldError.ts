/**
 * How a refused request names its problem: the API's error body `{error, field}`, with the field as a
 * dotted path (`restrictions.0.servedAt`), made from the first issue zod found. One definition, so a
 * server's 400 and an import's per-line error read alike.
 */
import type { z } from 'zod';

export interface FieldError {
  error: string;
  field: string;
}

/** The first problem zod found, as the contract's `{error, field}`. */
export function firstError(error: z.ZodError): FieldError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(body)';
  // zod says "Invalid input: expected string, received undefined" for a field left out.
  const missing = issue?.code === 'invalid_type' && /received undefined$/.test(issue.message);
  const message = missing ? 'is required' : (issue?.message ?? 'invalid input');
  return { error: `${field}: ${message}`, field };
}
