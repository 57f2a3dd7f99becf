/**
 * Dates as the register holds them: full instants for events, and calendar dates of birth that may be
 * partial (`1999`, `1999-03`). Pure functions, no time zone guessing: instants must carry one.
 */

export interface PartialDate {
  year: number;
  month?: number;
  day?: number;
}

const PARTIAL_DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Returns the parsed date, or a sentence saying what is wrong with it. */
export function parsePartialDate(text: string): PartialDate | string {
  const m = PARTIAL_DATE.exec(text);
  if (!m) return `"${text}" is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD`;
  const year = Number(m[1]);
  if (year < 1850 || year > 2200) return `year ${year} is out of range`;
  if (m[2] === undefined) return { year };
  const month = Number(m[2]);
  if (month < 1 || month > 12) return `month ${m[2]} does not exist`;
  if (m[3] === undefined) return { year, month };
  const day = Number(m[3]);
  if (day < 1 || day > daysInMonth(year, month)) return `${text} does not exist in the calendar`;
  return { year, month, day };
}

export function isFullDate(text: string): boolean {
  const parsed = parsePartialDate(text);
  return typeof parsed !== 'string' && parsed.day !== undefined;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** Returns the instant normalised to UTC ISO form, or a sentence saying what is wrong with it. */
export function parseInstant(text: string): string | { error: string } {
  if (!INSTANT.test(text)) return { error: `"${text}" is not an ISO 8601 instant with a time zone (e.g. 2024-10-02T10:00:00Z)` };
  const date = parsePartialDate(text.slice(0, 10));
  if (typeof date === 'string') return { error: date };
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return { error: `"${text}" is not a valid instant` };
  return new Date(ms).toISOString();
}

/** Whether an inclusive [from, to] range of ISO dates covers the calendar day of `at` (UTC). */
export function dateRangeCovers(validFrom: string, validTo: string, at: Date): boolean {
  const day = at.toISOString().slice(0, 10);
  return validFrom <= day && day <= validTo;
}
