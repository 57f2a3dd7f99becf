/**
 * Candidate generation: the three kinds of index key stored per listed person, and the keys a screening
 * looks up. A lookup is an exact match on a key, so every key must come out the same from the
 * register's Cyrillic and from any Latin spelling of it: keys are built from the coarse consonant codes
 * of ./codes.ts (S = the surname's first four classes, G = the first given name's first three, F = the
 * surname's first class alone) and the date of birth.
 *
 * | key            | stored for                | finds the traveller when …                                        |
 * |----------------|---------------------------|-------------------------------------------------------------------|
 * | `s` S date     | every person (its date as the register holds it, full or partial) | the surname's code and the date agree; the given name may be anything |
 * | `g` G date F   | persons with a full date, once per surname part's first class | the given name's code and the date agree; the surname may be mangled (its first class is asked for the likeliest readings first, then for every class) |
 * | `y` S.G month  | every person (year and month, or the year alone for a year-only date) | both codes agree and the date is one typing slip away (day, month or year), day and month swapped, a partial date on either side; every month when the traveller gives no date |
 *
 * Dates are written compactly (ten million persons hold thirty million keys: a few bytes each add up):
 * a full date is three base-62 digits counting days from 1800-01-01, a year-month `~` and two digits
 * counting months, a year `!` and two digits. The code letters are A–Z only (`_`: a surname with no
 * consonant), so a key reads back unambiguously.
 *
 * Bounds, at ten million persons: an `s` key holds a handful to a few dozen persons (SMIRNOV born on one
 * day), a `g` key a few dozen at most (ALEKSANDR born on one day whose surname begins with S), a `y` key
 * a few dozen (SMIRNOV ALEKSANDR born in March 1962). The `g` lookups of the traveller's other surname
 * classes and the `y` lookups read within small budgets of their own (matcher.ts), so the commonest names
 * cannot make a screening read hundreds of persons. The matcher reads the stages in order and stops
 * once a person agrees exactly (matcher.ts).
 */
import { ALL_CLASSES, cyrillicCode, latinCodes, latinFirstClasses, NO_CLASS } from './codes.js';
import { dobDigits, swappedDigits } from './dob.js';
import { equivalentForms } from './equivalence.js';
import { hasCyrillic, icaoLatin } from './latin.js';
import { Memo } from './memo.js';
import { belarusianAsRussian, wordsOf } from './readings.js';
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
/** Dates are written for years before this one (two base-62 digits of months). */
const LAST_YEAR = EPOCH_YEAR + (62 * 62) / 12;

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
  if (!/^\d{4}(\d{2}(\d{2})?)?$/.test(digits) || y < EPOCH_YEAR || y >= LAST_YEAR) return '';
  if (digits.length === 4) return '!' + base62(y - EPOCH_YEAR, 2);
  const m = Number(digits.slice(4, 6));
  if (digits.length === 6) return '~' + base62((y - EPOCH_YEAR) * 12 + m - 1, 2);
  const days = Math.round((Date.UTC(y, m - 1, Number(digits.slice(6, 8))) - EPOCH) / DAY_MS);
  return base62(days, 3);
}

/** dateCode of a year, and of a year and month, without parsing digits (a dateless screening asks for 1300 of them). */
const two = (n: number) => DIGITS[Math.floor(n / 62)]! + DIGITS[n % 62]!;
const yearCode = (year: number) => (Number.isInteger(year) && year >= EPOCH_YEAR && year < LAST_YEAR ? '!' + two(year - EPOCH_YEAR) : '');
const monthCode = (year: number, month: number) =>
  Number.isInteger(year) && year >= EPOCH_YEAR && year < LAST_YEAR && month >= 1 && month <= 12 ? '~' + two((year - EPOCH_YEAR) * 12 + month - 1) : '';

/** The date part of a `y` key: year and month (of a full or year-month date), or the year alone. */
function yearMonthCode(digits: string): string {
  return dateCode(digits.slice(0, digits.length >= 6 ? 6 : 4));
}

/**
 * The code of a word of a listed name. The register holds names in Cyrillic, but also in Latin letters
 * (a foreign national under a court travel ban): such a word is coded from its likeliest reading, the
 * first of the codes a traveller's spelling of it looks up.
 */
function listedCode(word: string, length: number): string {
  return hasCyrillic(word) ? cyrillicCode(word, length) : (latinCodes(latin(word), length, 1)[0] ?? '');
}

/** The first class of each surname word (and of the whole, for a double surname): one `g` key each. */
function surnameClasses(words: string[]): string[] {
  const out = new Set<string>();
  for (const w of [words.join(''), ...(words.length > 1 ? words : [])]) out.add(listedCode(w, 1) || NO_CLASS);
  return [...out];
}

/** The stored keys of one person. */
export function personKeys(p: ListedPerson): string[] {
  const words = wordsOf(p.surname);
  const s = listedCode(words.join(''), SURNAME_CODE_LENGTH);
  const g = listedCode(wordsOf(p.givenNames)[0] ?? '', GIVEN_CODE_LENGTH);
  const digits = dobDigits(p.dateOfBirth);
  const date = dateCode(digits);
  const keys: string[] = [];
  if (!date) return keys;
  if (s) keys.push(`s${s}${date}`);
  if (g && digits.length === 8) for (const f of surnameClasses(words)) keys.push(`g${g}${date}${f}`);
  if (s && g) keys.push(`y${s}.${g}${yearMonthCode(digits)}`);
  return keys;
}

/**
 * The keys of one screening in the order they are read; the matcher stops after a stage once a listed
 * person agrees exactly in name and date (see matcher.ts).
 */
export interface QueryPlan {
  /** `s` keys: the surname's codes with the date as given (and swapped). */
  surname: string[];
  /**
   * `g` keys: the given name's codes with the date and the surname's likeliest first classes (and the
   * date swapped); and both kinds crosswise (fields typed into each other).
   */
  given: string[];
  /** `g` keys of the surname's other first classes (a first letter lost or read another way): read within a budget. */
  givenOtherClass: string[];
  /** `y` keys: the month (a slip in the day), the months and years one slip away, the year; every month when no date is given. */
  years: string[];
}

/**
 * The codes of the other forms of the traveller's given name in the equivalence list (MYKOLA: Николай
 * NKL, Mikołaj MKL, …), as the register's keys hold them: a Ukrainian register's Микола is found by a
 * NIKOLAI.
 */
function equivalentCodes(given: string): readonly string[] {
  return equivalentCodeMemo.get(given, () => {
    const out = new Set<string>();
    for (const form of equivalentForms(given)) {
      const code = listedCode(form, GIVEN_CODE_LENGTH);
      if (code) out.add(code);
    }
    return [...out];
  });
}
/** Asked by every screening that reaches the given-name keys: travellers share given names. */
const equivalentCodeMemo = new Memo<readonly string[]>(20_000);

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

/** Months one typing slip away in `MM`: either digit changed, or the two swapped. */
export function monthSlips(month: number): number[] {
  const m = String(month).padStart(2, '0');
  const out = new Set<number>();
  for (let c = 0; c <= 9; c++) {
    out.add(Number(c + m[1]!));
    out.add(Number(m[0]! + c));
  }
  out.add(Number(m[1]! + m[0]!));
  out.delete(month);
  return [...out].filter((x) => x >= 1 && x <= 12).sort((a, b) => a - b);
}

/**
 * The `y` date parts one typing slip away from a full or year-month date (`YYYYMM…`), most likely first:
 * the month (a slip in the day keeps it), months one slip away, the year's last digit slipped into the
 * month and back, the month's last digit slipped into the day (its first digit becomes the month), and
 * years one slip away with the same month.
 */
function nearMonths(digits: string, latest: number): string[] {
  const year = Number(digits.slice(0, 4));
  const month = Number(digits.slice(4, 6));
  const out = [monthCode(year, month)];
  for (const m of monthSlips(month)) out.push(monthCode(year, m));
  // Adjacent digits transposed across the year/month and month/day boundaries.
  const across = [digits.slice(0, 3) + digits[4] + digits[3] + digits[5]];
  if (digits.length === 8) across.push(digits.slice(0, 5) + digits[6]);
  for (const d of across) {
    const y = Number(d.slice(0, 4));
    const m = Number(d.slice(4, 6));
    if (m >= 1 && m <= 12 && y <= latest) out.push(monthCode(y, m));
  }
  // Day and month swapped: the day read as the month.
  if (digits.length === 8 && Number(digits.slice(6, 8)) <= 12) out.push(monthCode(year, Number(digits.slice(6, 8))));
  for (const y of yearSlips(year, latest)) out.push(monthCode(y, month));
  return out.filter((c) => c !== '');
}

/** `f`, worked out on the first call only. */
function once<T>(f: () => T): () => T {
  let v: T | undefined;
  return () => (v ??= f());
}

/** Keys in the order first added, each once. */
class KeyList {
  readonly keys: string[] = [];
  private readonly seen = new Set<string>();
  add(key: string): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.keys.push(key);
  }
}

/**
 * The keys a screening looks up for this traveller, most specific first. Each stage's keys are worked
 * out when the stage is first read: most screenings end after the first.
 */
export function queryPlan(t: Traveller, now = new Date()): QueryPlan {
  const surnameWords = wordsOf(t.surname).map(latin).filter((w) => w.length > 0);
  const surname = surnameWords.join('');
  const givenWord = wordsOf(t.givenNames)[0] ?? '';
  const given = latin(givenWord);
  const ss = surname ? latinCodes(surname, SURNAME_CODE_LENGTH, SURNAME_CODES) : [];
  // Belarusian Ў written U, Ц and ДЗ for a soft Т and Д: the code of the surname read the Russian way
  // too (MAROZAU as MAROZAV, TSITOU as TITOV), after the others.
  const belarusian = surname ? belarusianAsRussian(surname) : surname;
  const ssAlso = belarusian !== surname ? latinCodes(belarusian, SURNAME_CODE_LENGTH, 1).filter((c) => !ss.includes(c)) : [];
  const latest = now.getUTCFullYear();
  const digits = t.dateOfBirth ? dobDigits(t.dateOfBirth) : '';
  const date = dateCode(digits);
  const swapped = date && digits.length === 8 ? swappedDigits(digits) : undefined;
  const other = swapped ? dateCode(swapped) : '';
  const gs = once(() => (given ? latinCodes(given, GIVEN_CODE_LENGTH, GIVEN_CODES) : []));
  // The surname's first class: its likeliest readings first; every other class after, within a budget.
  const classes = once(() => (surnameWords.length > 0 ? latinFirstClasses(surnameWords) : []));

  const surnameKeys = () => {
    const list = new KeyList();
    if (date) {
      for (const s of [...ss, ...ssAlso]) list.add(`s${s}${date}`);
      // Day and month swapped: the most likely code only, for the other reading of the date.
      if (other && ss[0]) list.add(`s${ss[0]}${other}`);
    }
    return list.keys;
  };
  const givenKeys = () => {
    const list = new KeyList();
    if (!date || digits.length !== 8) return list.keys;
    const [g0] = gs();
    for (const g of gs()) for (const f of classes()) list.add(`g${g}${date}${f}`);
    if (other && g0) for (const f of classes()) list.add(`g${g0}${other}${f}`);
    // The same given name in another language (NIKOLAI for Микола, ULADZIMIR for Владимир), date as given.
    if (givenWord) for (const g of equivalentCodes(givenWord)) if (!gs().includes(g)) for (const f of classes()) list.add(`g${g}${date}${f}`);
    // Surname and given names typed into each other's fields.
    if (given && surname) {
      list.add(`s${latinCodes(given, SURNAME_CODE_LENGTH, 1)[0]}${date}`);
      const crossG = latinCodes(surname, GIVEN_CODE_LENGTH, 1)[0];
      for (const f of latinFirstClasses([given])) list.add(`g${crossG}${date}${f}`);
    }
    return list.keys;
  };
  const otherClassKeys = () => {
    const list = new KeyList();
    const [g0] = gs();
    if (!date || digits.length !== 8 || !g0) return list.keys;
    for (const d of other ? [date, other] : [date]) for (const f of ALL_CLASSES) if (!classes().includes(f)) list.add(`g${g0}${d}${f}`);
    return list.keys;
  };
  const yearKeys = () => {
    const list = new KeyList();
    const both = pairs(ss, gs(), PAIRS);
    if (!both[0]) return list.keys;
    if (date) {
      const year = Number(digits.slice(0, 4));
      if (digits.length >= 6) {
        const near = nearMonths(digits, latest);
        for (const sg of both) list.add(`y${sg}${near[0]}`);
        // A register that holds only the year.
        for (const sg of both) list.add(`y${sg}${yearCode(year)}`);
        for (const m of near.slice(1)) list.add(`y${both[0]}${m}`);
        if (digits.length === 8) for (const y of yearSlips(year, latest)) list.add(`y${both[0]}${yearCode(y)}`);
      } else {
        // The traveller gave only the year: every month of it, and a register that holds only the year.
        for (const sg of both) {
          for (let m = 1; m <= 12; m++) list.add(`y${sg}${monthCode(year, m)}`);
          list.add(`y${sg}${yearCode(year)}`);
        }
      }
    } else {
      // No date at all: every month of the last hundred years, newest first (no key twice: no list).
      const keys: string[] = [];
      const prefix = `y${both[0]}`;
      for (let y = latest; y > latest - YEARS_BACK; y--) {
        for (let m = 12; m >= 1; m--) keys.push(prefix + monthCode(y, m));
        keys.push(prefix + yearCode(y));
      }
      return keys;
    }
    return list.keys;
  };
  return new LazyPlan({ surname: once(surnameKeys), given: once(givenKeys), givenOtherClass: once(otherClassKeys), years: once(yearKeys) });
}

/**
 * A plan whose stages are worked out when first read. The getters live on the class, not in an object
 * literal: a literal's getters are new closures on every screening, and V8 keeps accessors in the
 * object's hidden class, so each plan got a hidden class of its own, made in the old generation and
 * holding the screening's closures (and all they hold) alive. Every minor collection then copied and
 * promoted that garbage: run alone, the plan made collections of 5–18 ms instead of under 1 ms, and at
 * a million persons a third of the slowest 1 % of screenings overlapped such a collection (issue #20;
 * bench/matching/gcIsolation.ts, tailProfile.ts).
 */
class LazyPlan implements QueryPlan {
  constructor(private readonly stages: { [K in keyof QueryPlan]: () => string[] }) {}

  get surname(): string[] {
    return this.stages.surname();
  }

  get given(): string[] {
    return this.stages.given();
  }

  get givenOtherClass(): string[] {
    return this.stages.givenOtherClass();
  }

  get years(): string[] {
    return this.stages.years();
  }
}
