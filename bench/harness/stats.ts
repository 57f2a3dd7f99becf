/** Small pure helpers for figures: percentiles, rates and how they are printed. */

/** The p-th percentile (0 ≤ p ≤ 100) by the nearest-rank method; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export const seconds = (ms: number) => ms / 1000;

/** 1234567 → "1,234,567"; fractional values keep `digits` decimals. */
export function num(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A person count in short form: 1000000 → "1 M", 100000 → "100 k". */
export function count(n: number): string {
  if (n >= 1_000_000 && n % 100_000 === 0) return `${n / 1_000_000} M`;
  if (n >= 1000 && n % 100 === 0) return `${n / 1000} k`;
  return num(n);
}

export const mib = (bytes: number) => (Number.isFinite(bytes) ? `${num(bytes / 2 ** 20)} MiB` : '—');
export const mb = (bytes: number) => (Number.isFinite(bytes) ? `${num(bytes / 1e6)} MB` : '—');
export const ms = (value: number, digits = 1) => (Number.isFinite(value) ? `${num(value, digits)} ms` : '—');
export const secs = (value: number, digits = 1) => (Number.isFinite(value) ? `${num(value, digits)} s` : '—');
export const pct = (ratio: number) => (Number.isFinite(ratio) ? `${num(ratio * 100)} %` : '—');

/** ✅ / ❌ beside a figure judged against a target; "—" when there is nothing to judge. */
export function verdict(met: boolean | undefined): string {
  return met === undefined ? '—' : met ? 'met' : '**missed**';
}
