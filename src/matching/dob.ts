/**
 * Dates of birth compared the way a border officer would weigh them. Pure functions.
 *
 * | agreement  | when                                                                  | effect on the score |
 * |------------|-----------------------------------------------------------------------|---------------------|
 * | exact      | both full and equal                                                   | none                |
 * | partial    | one side is a year or a year-month, and the other agrees as far as it goes | −0.03 (year-month), −0.06 (year) |
 * | swapped    | day and month exchanged (04-03 for 03-04)                             | −0.10, and never a hit |
 * | typo       | one digit differs, or two adjacent digits are transposed              | −0.10 (−0.15 in the year), and never a hit |
 * | missing    | the traveller gave no date                                            | −0.12               |
 * | different  | anything else                                                         | score × 0.6: never a hit, nor with the default thresholds a refer |
 */
import { daysInMonth } from '../domain/dates.js';

/** The shape of a (partial) ISO date; both sides were validated where they came in (register, screening request). */
const DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;

export type DobAgreement = 'exact' | 'partial' | 'swapped' | 'typo' | 'missing' | 'different';

export interface DobComparison {
  agreement: DobAgreement;
  /** 0 … 1, for the explanation. */
  similarity: number;
  detail: string;
  /** For a typo: the slip is in the year. */
  inYear?: boolean;
}

/** Score adjustments per agreement (subtracted), and the factor a different date multiplies by. */
export const DOB_EFFECT = {
  exact: 0,
  partialYearMonth: 0.03,
  partialYear: 0.06,
  swapped: 0.1,
  typo: 0.1,
  typoInYear: 0.15,
  missing: 0.12,
  differentFactor: 0.6,
} as const;

/** `1999-03-04` → `19990304`; partial dates keep their length (`1999`, `199903`). */
export function dobDigits(date: string): string {
  return date.replace(/-/g, '');
}

function isValidDigits(d: string): boolean {
  if (!/^\d{8}$/.test(d)) return false;
  const y = Number(d.slice(0, 4));
  const m = Number(d.slice(4, 6));
  const day = Number(d.slice(6, 8));
  return y >= 1850 && m >= 1 && m <= 12 && day >= 1 && day <= daysInMonth(y, m);
}

/** The date with day and month exchanged, if that is another valid date. */
export function swappedDigits(d: string): string | undefined {
  if (d.length !== 8) return undefined;
  const s = d.slice(0, 4) + d.slice(6, 8) + d.slice(4, 6);
  return s !== d && isValidDigits(s) ? s : undefined;
}

/** Every valid full date one typing slip away: one digit changed, or two adjacent digits transposed. */
export function typoDigits(d: string, latestYear = new Date().getUTCFullYear()): string[] {
  if (d.length !== 8) return [];
  const out = new Set<string>();
  const ok = (s: string) => s !== d && isValidDigits(s) && Number(s.slice(0, 4)) <= latestYear;
  for (let i = 0; i < 8; i++) {
    for (let c = 0; c <= 9; c++) {
      const s = d.slice(0, i) + c + d.slice(i + 1);
      if (ok(s)) out.add(s);
    }
    if (i < 7 && d[i] !== d[i + 1]) {
      const s = d.slice(0, i) + d[i + 1] + d[i] + d.slice(i + 2);
      if (ok(s)) out.add(s);
    }
  }
  return [...out];
}

function slip(a: string, b: string): { kind: 'digit' | 'transposition'; inYear: boolean } | undefined {
  if (a.length !== b.length) return undefined;
  const diff: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff.push(i);
  if (diff.length === 1) return { kind: 'digit', inYear: diff[0]! < 4 };
  if (diff.length === 2 && diff[1] === diff[0]! + 1 && a[diff[0]!] === b[diff[1]!] && a[diff[1]!] === b[diff[0]!]) {
    return { kind: 'transposition', inYear: diff[0]! < 4 };
  }
  return undefined;
}

/** Compares a traveller's date of birth (maybe absent or partial) with a listed person's (maybe partial). */
export function compareDob(query: string | undefined, listed: string): DobComparison {
  if (!query) return { agreement: 'missing', similarity: 0.5, detail: 'the traveller gave no date of birth' };
  if (!DATE.test(query) || !DATE.test(listed)) {
    return { agreement: 'different', similarity: 0, detail: `${query} and ${listed} cannot be compared` };
  }
  const q = dobDigits(query);
  const l = dobDigits(listed);
  if (q === l && q.length === 8) return { agreement: 'exact', similarity: 1, detail: 'identical' };
  const common = Math.min(q.length, l.length);
  if (q.slice(0, common) === l.slice(0, common)) {
    const what = common === 4 ? 'year' : 'year and month';
    const who = l.length < q.length ? 'the register holds only the' : q.length < l.length ? 'the traveller gave only the' : 'both give only the';
    return { agreement: 'partial', similarity: common === 4 ? 0.8 : 0.9, detail: `${who} ${what}, and it agrees` };
  }
  if (q.length === 8 && l.length === 8 && swappedDigits(q) === l) {
    return { agreement: 'swapped', similarity: 0.8, detail: 'day and month swapped' };
  }
  const s = slip(q.slice(0, common), l.slice(0, common));
  if (s) {
    const where = s.inYear ? ' in the year' : '';
    return {
      agreement: 'typo',
      similarity: s.inYear ? 0.6 : 0.75,
      inYear: s.inYear,
      detail: s.kind === 'digit' ? `one digit differs${where} (a typing slip?)` : `two adjacent digits transposed${where} (a typing slip?)`,
    };
  }
  return { agreement: 'different', similarity: 0, detail: 'different dates' };
}

/**
 * The score after the date's effect (see the table above). `belowHit` is the highest score a date
 * that only nearly agrees may leave (just under the hit threshold).
 */
export function applyDob(score: number, dob: DobComparison, listed: string, query: string | undefined, belowHit: number): number {
  switch (dob.agreement) {
    case 'exact':
      return score;
    case 'partial': {
      const common = Math.min(dobDigits(listed).length, query ? dobDigits(query).length : 0);
      return score - (common >= 6 ? DOB_EFFECT.partialYearMonth : DOB_EFFECT.partialYear);
    }
    case 'swapped':
      return Math.min(score - DOB_EFFECT.swapped, belowHit);
    case 'typo':
      return Math.min(score - (dob.inYear ? DOB_EFFECT.typoInYear : DOB_EFFECT.typo), belowHit);
    case 'missing':
      return score - DOB_EFFECT.missing;
    case 'different':
      return score * DOB_EFFECT.differentFactor;
  }
}
