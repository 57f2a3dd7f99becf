/** Showing times and numbers to people: local time with the age beside it. */

export function localTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (Number.isNaN(s)) return iso;
  if (s < 0) return `in ${-s} s`;
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  if (s < 172_800) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} days ago`;
}

/** "2024-10-02 12:00:00 (3 min ago)" */
export const when = (iso: string | null | undefined) => (iso ? `${localTime(iso)} (${ago(iso)})` : '—');

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

export const percent = (x: number) => `${Math.round(x * 100)} %`;

/** A code as words: `documentNumber` → "document number", `not-yet-in-force` → "not yet in force". */
export const label = (s: string) => s.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/-/g, ' ').toLowerCase();

const KINDS: Record<string, string> = { 'call-up': 'call-up notice', 'court-order': 'court order', other: 'other restriction' };
export const kindLabel = (kind: string) => KINDS[kind] ?? label(kind);

/** An audit entry's detail as short "key value" pairs rather than raw JSON (`changed` is shown by changeLines). */
export function detailText(detail: unknown): string {
  if (detail === null || typeof detail !== 'object') return String(detail ?? '');
  return Object.entries(detail as Record<string, unknown>)
    .filter(([k]) => k !== 'changed')
    .map(([k, v]) => `${label(k)}: ${Array.isArray(v) ? v.map((x) => (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ') : typeof v === 'object' && v !== null ? detailText(v) : String(v)}`)
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
