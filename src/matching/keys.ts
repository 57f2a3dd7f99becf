/**
 * Candidate generation: the three index keys stored per listed person, and the few keys a screening
 * looks up. A lookup is an exact match on a key, so every key must come out the same from the
 * register's Cyrillic and from any Latin spelling of it: keys are built from the coarse consonant codes
 * of ./codes.ts (S = the surname's first four classes, G = the first given name's first three) and the
 * date of birth.
 *
 * | key          | stored for                | finds the traveller when …                                        |
 * |--------------|---------------------------|-------------------------------------------------------------------|
 * | `s` S date   | every person (its date as the register holds it, full or partial) | the surname's code and the date agree; the given name may be anything |
 * | `g` G date   | persons with a full date  | the given name's code and the date agree; the surname may be mangled |
 * | `y` S.G year | every person              | both codes agree and the year does: day and month swapped or mistyped, a partial date on either side; looked up for a year one typing slip away too, and for every year when the traveller gives no date |
 *
 * Dates are written compactly (keys are stored twice per person: a few bytes each add up at ten
 * million): a full date is three base-62 digits counting days from 1800-01-01, a year-month `~` and two
 * digits counting months, a year `!` and two digits. The code letters are A–Z only, so a key reads
 * back unambiguously.
 *
 * Bounds: `s` keys hold a handful of persons even in a register of ten million (a surname code born on
 * one day), `g` keys a few dozen (a given-name code born on one day); `y` keys can hold hundreds for the
 * most common names (SMIRNOV ALEKSANDR born 1962), so they are read last and with a small budget of their
 * own. The matcher reads the stages in this order and stops once a person agrees exactly (matcher.ts).
 */
import { cyrillicCode, latinCodes } from './codes.js';
import { dobDigits, swappedDigits } from './dob.js';
import { icaoLatin } from './latin.js';
import { wordsOf } from './readings.js';
import type { ListedPerson, Traveller } from './types.js';

export const SURNAME_CODE_LENGTH = 4;
export const GIVEN_CODE_LENGTH = 3;
/** Latin codes tried per word (CH, C, J, Z and H make a Latin word ambiguous), and code pairs. */
const SURNAME_CODES = 2;
const GIVEN_CODES = 2;
const PAIRS = 2;
/** Years looked up when the traveller gives no date of birth. */
const YEARS_BACK = 100;

const DIGITS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const EPOCH_YEAR = 1800;
const DAY_MS = 86_400_000;
const EPOCH = Date.UTC(EPOCH_YEAR, 0, 1);

function base62(n: number, width: number): string {
  let s = '';
  for (let i = 0; i < width; i++) {
    s = DIGITS[n % 62]! + s;
    n = Math.floor(n / 62);
  }
  return s;
}

/** The compact form of a date of birth's digits (`19990304`, `199903` or `1999`); '' if it cannot be written. */
export function dateCode(digits: string): string {
  const y = Number(digits.slice(0, 4));
  if (!/^\d{4}(\d{2}(\d{2})?)?$/.test(digits) || y < EPOCH_YEAR || y >= EPOCH_YEAR + 62 * 62 / 12) return '';
  if (digits.length === 4) return '!' + base62(y - EPOCH_YEAR, 2);
  const m = Number(digits.slice(4, 6));
  if (digits.length === 6) return '~' + base62((y - EPOCH_YEAR) * 12 + m - 1, 2);
  const days = Math.round((Date.UTC(y, m - 1, Number(digits.slice(6, 8))) - EPOCH) / DAY_MS);
  return base62(days, 3);
}

const yearCode = (year: number) => dateCode(String(year));

/** The stored keys of one person. */
export function personKeys(p: ListedPerson): string[] {
  const s = cyrillicCode(wordsOf(p.surname).join(''), SURNAME_CODE_LENGTH);
  const g = cyrillicCode(wordsOf(p.givenNames)[0] ?? '', GIVEN_CODE_LENGTH);
  const digits = dobDigits(p.dateOfBirth);
  const date = dateCode(digits);
  const keys: string[] = [];
  if (!date) return keys;
  if (s) keys.push(`s${s}${date}`);
  if (g && digits.length === 8) keys.push(`g${g}${date}`);
  if (s && g) keys.push(`y${s}.${g}${yearCode(Number(digits.slice(0, 4)))}`);
  return keys;
}

/**
 * The keys of one screening in the order they are read; the matcher stops after a stage once a listed
 * person agrees exactly in name and date (see matcher.ts).
 */
export interface QueryPlan {
  /** `s` keys: the surname's codes with the date as given (and swapped). */
  surname: string[];
  /** `g` keys: the given name's codes with the date; and both kinds crosswise (fields typed into each other). */
  given: string[];
  /** `y` keys for the year (and for a year one typing slip away, or every year when no date is given). */
  years: string[];
}

/** A traveller's word in Latin capitals (an officer may type Cyrillic: it is read as ICAO 9303). */
function latin(word: string): string {
  return icaoLatin(word).replace(/ /g, '');
}

/** Code pairs, most likely first (both first codes, then one second choice, …). */
function pairs(ss: string[], gs: string[], max: number): string[] {
  const out: string[] = [];
  for (let total = 0; total < ss.length + gs.length && out.length < max; total++) {
    for (let i = 0; i <= total && out.length < max; i++) {
      const s = ss[i];
      const g = gs[total - i];
      if (s && g) out.push(`${s}.${g}`);
    }
  }
  return out;
}

/** Years one typing slip away: the last digit changed, the tens digit one up or down, the two swapped. */
export function yearSlips(year: number, latest = new Date().getUTCFullYear()): number[] {
  const out = new Set<number>();
  const y = String(year);
  for (let c = 0; c <= 9; c++) out.add(Number(y.slice(0, 3) + c));
  out.add(year + 10);
  out.add(year - 10);
  out.add(Number(y.slice(0, 2) + y[3] + y[2]));
  out.delete(year);
  return [...out].filter((x) => x >= latest - 120 && x <= latest).sort((a, b) => Math.abs(a - year) - Math.abs(b - year));
}

/** The keys a screening looks up for this traveller, most specific first. */
export function queryPlan(t: Traveller, now = new Date()): QueryPlan {
  const surname = latin(wordsOf(t.surname).join(''));
  const given = latin(wordsOf(t.givenNames)[0] ?? '');
  const ss = surname ? latinCodes(surname, SURNAME_CODE_LENGTH, SURNAME_CODES) : [];
  const gs = given ? latinCodes(given, GIVEN_CODE_LENGTH, GIVEN_CODES) : [];
  const both = pairs(ss, gs, PAIRS);
  const plan: QueryPlan = { surname: [], given: [], years: [] };
  const add = (list: string[], key: string) => {
    if (!list.includes(key)) list.push(key);
  };
  const digits = t.dateOfBirth ? dobDigits(t.dateOfBirth) : '';
  const date = dateCode(digits);
  if (date) {
    for (const s of ss) add(plan.surname, `s${s}${date}`);
    if (digits.length === 8) {
      for (const g of gs) add(plan.given, `g${g}${date}`);
      // Day and month swapped: the same keys, most likely codes only, for the other reading of the date.
      const swapped = swappedDigits(digits);
      if (swapped) {
        const other = dateCode(swapped);
        if (ss[0]) add(plan.surname, `s${ss[0]}${other}`);
        if (gs[0]) add(plan.given, `g${gs[0]}${other}`);
      }
      // Surname and given names typed into each other's fields.
      if (given && surname) {
        add(plan.given, `s${latinCodes(given, SURNAME_CODE_LENGTH, 1)[0]}${date}`);
        add(plan.given, `g${latinCodes(surname, GIVEN_CODE_LENGTH, 1)[0]}${date}`);
      }
    }
    const year = Number(digits.slice(0, 4));
    for (const sg of both) add(plan.years, `y${sg}${yearCode(year)}`);
    if (digits.length === 8 && both[0]) for (const y of yearSlips(year, now.getUTCFullYear())) add(plan.years, `y${both[0]}${yearCode(y)}`);
  } else if (both[0]) {
    const latest = now.getUTCFullYear();
    for (let y = latest; y > latest - YEARS_BACK; y--) add(plan.years, `y${both[0]}${yearCode(y)}`);
  }
  return plan;
}
