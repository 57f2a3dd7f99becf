/**
 * Dates as a person reads them, in their browser's language and time zone: "2 February 1991", not
 * "1991-02-02". A date of birth is a calendar date, not an instant, so it is formatted in UTC and
 * never shifts a day with the reader's time zone.
 */
import { locale as currentLocale } from '../i18n';

/** "1991-02-02" → "2 February 1991" (en-GB); the input unchanged if it is not a full date. */
export function longDate(isoDate: string, locale: string = currentLocale()): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return isoDate;
  const d = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime())) return isoDate;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

/** An instant as the reader's local date and time: "11 February 2025 at 12:30". */
export function longDateTime(iso: string | undefined, locale: string = currentLocale()): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(d);
}
