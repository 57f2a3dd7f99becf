/**
 * Showing times and numbers to people, in their language (i18n) and their browser's time zone, with
 * Intl: "7 Dec 2026, 18:12:05" in English, "7 дек. 2026 г., 18:12:05" in Russian — never a raw ISO string.
 */
import { locale, t } from '../i18n';
import { lookup } from '../i18n/plural';

export function localTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** Hours and minutes only, for a chart's axis: "18:12". */
export function clockTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit' }).format(d);
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  const words = t().time;
  if (!iso) return words.never;
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(s)) return iso;
  if (s < 0) return words.inSeconds(-s);
  if (s < 90) return words.secondsAgo(s);
  if (s < 5400) return words.minutesAgo(Math.round(s / 60));
  if (s < 172_800) return words.hoursAgo(Math.round(s / 3600));
  return words.daysAgo(Math.round(s / 86_400));
}

/**
 * A service's explanation ("… in force since 2024-10-09T10:00:00.000Z") with each ISO instant in it
 * written as the reader's local date and time, and each bare ISO date in words.
 */
export function localiseDates(text: string): string {
  return text
    .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/g, (iso) => localTime(iso))
    .replace(/\b(\d{4})-(\d{2})-(\d{2})\b/g, (date) => {
      const d = new Date(`${date}T00:00:00Z`);
      return Number.isNaN(d.getTime()) ? date : new Intl.DateTimeFormat(locale(), { dateStyle: 'long', timeZone: 'UTC' }).format(d);
    });
}

/** "7 Dec 2026, 12:00:00 (3 min ago)" */
export const when = (iso: string | null | undefined) => (iso ? `${localTime(iso)} (${ago(iso)})` : '—');

/** A number as the reader writes it: 12,345 or 12 345. */
export const number = (n: number) => new Intl.NumberFormat(locale()).format(n);

/** The value for an <input type="datetime-local"> showing now, in local time. */
export function nowForInput(): string {
  const d = new Date();
  d.setMinutes(d.getMinutes() - d.getTimezoneOffset());
  return d.toISOString().slice(0, 16);
}

/** A datetime-local value (local time, no zone) as an ISO instant, or null if empty. */
export function inputToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export const percent = (x: number) => new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: 0 }).format(x);

/** A code as words: `documentNumber` → "document number", `not-yet-in-force` → "not yet in force". */
export const label = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/-/g, ' ').toLowerCase();

export const kindLabel = (kind: string) => lookup(t().result.kinds, kind);

/** An audit entry's detail as short "key value" pairs rather than raw JSON (`changed` is shown by changeLines), its dates the reader's way. */
export function detailText(detail: unknown): string {
  if (detail === null || typeof detail !== 'object') return String(detail ?? '');
  return Object.entries(detail as Record<string, unknown>)
    .filter(([k]) => k !== 'changed')
    .map(([k, v]) => `${label(k)}: ${Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : typeof v === 'object' && v !== null ? detailText(v) : localiseDates(String(v))}`)
    .join(' · ');
}

/** A person's field value in words: documents and deferments as a reader would write them. */
export function fieldValue(field: string, value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  if (!Array.isArray(value)) return String(value);
  if (value.length === 0) return '(none)';
  if (field === 'documents') return value.map((d: { type: string; number: string; country: string }) => `${d.type} ${d.number} (${d.country})`).join('; ');
  if (field === 'deferments') {
    return value
      .map((d: { kind?: string; category: string; validFrom: string; validTo: string; grantedBy?: string; basis?: string }) =>
        `${d.category} ${d.kind ?? 'deferment'} ${d.validFrom} to ${d.validTo}, granted by ${d.grantedBy ?? 'the register'}${d.basis ? ` (${d.basis})` : ''}`,
      )
      .join('; ');
  }
  return value.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
}

/** The "before → after" lines of an audit entry that changed a person's identity or relief. */
export function changeLines(detail: unknown): { field: string; before: string; after: string }[] {
  const changed = (detail as { changed?: Record<string, { before?: unknown; after?: unknown }> } | null)?.changed;
  if (!changed || typeof changed !== 'object') return [];
  return Object.entries(changed).map(([field, c]) => ({ field: label(field), before: fieldValue(field, c.before), after: fieldValue(field, c.after) }));
}
