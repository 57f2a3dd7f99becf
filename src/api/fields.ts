/**
 * The field shapes every erx request is built from (identifiers, instants, dates, country and office
 * codes, free text), validated with zod. They live in src/api so the register's and the border's
 * servers, the OpenAPI document and the web console read one definition; like all of src/api they
 * import zod and src/domain only, never anything that does I/O (the browser bundle imports them).
 */
import { z } from 'zod';
import { parseInstant, parsePartialDate } from '../domain/dates.js';

/** Free text: trimmed, non-empty, at most `max` characters, no control characters. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'must be 1–64 letters, digits or . _ : / - (starting with a letter or digit)');

/** An ISO instant with a time zone; normalised to UTC `...Z`. */
export const instant = z.string().transform((s, ctx) => {
  const parsed = parseInstant(s);
  if (typeof parsed === 'string') return parsed;
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

/** An ISO date, possibly partial: `1999`, `1999-03` or `1999-03-04` (a date of birth). */
export const partialDate = z.string().superRefine((s, ctx) => {
  const parsed = parsePartialDate(s);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

/** A full ISO date `YYYY-MM-DD`. */
export const calendarDate = z.string().superRefine((s, ctx) => {
  const parsed = parsePartialDate(s);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  else if (parsed.day === undefined) ctx.addIssue({ code: 'custom', message: `"${s}" must be a full date YYYY-MM-DD` });
});

export const countryCode = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ICAO country code such as RUS');

export const officeCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{1,63}$/, 'must be an office code such as MO-Moscow-12');

/** The `:id` of a path such as /v1/persons/:id. */
export const idParam = z.object({ id: z.string().min(1).max(64) });
