/**
 * A deterministic, seeded generator of a synthetic national register of persons, in the import
 * format of the register (one JSON object per line, see shared/CONTRACT.md).
 *
 * Person i is a pure function of (seed, i): its random stream is seeded from a hash of both, and
 * every "unique" number (passport, ID card, restriction number) is a keyed bijection of i. That is
 * what lets a 10-million register be produced in constant memory, in parallel ranges, and
 * regenerated later to look up one person, without any Set of numbers already handed out.
 *
 * Realism is aimed at what a border matcher and a register importer will meet: skewed surname
 * frequencies with a long tail, feminine surname forms, patronymics with their irregulars, ё,
 * hyphenated surnames, missing patronymics, partial dates of birth, and restriction lifecycles
 * whose instants are ordered the way the register requires.
 */
import {
  COMPOUND_SURNAMES,
  FEMALE_NAMES,
  IRREGULAR_PATRONYMICS,
  MALE_NAMES,
  SURNAMES,
  TAIL_ROOTS,
  TAIL_SUFFIXES,
  type TailRootClass,
} from './names.js';

export type SyntheticSex = 'M' | 'F';
export type SyntheticRestrictionKind = 'call-up' | 'court-order' | 'other';
export type SyntheticServiceChannel = 'in-person' | 'post' | 'portal';
export type SyntheticLiftReason = 'deferment' | 'exemption' | 'cancellation' | 'expiry' | 'other';
export type SyntheticDefermentCategory = 'student' | 'health' | 'family' | 'occupation' | 'other';

export interface SyntheticDocument {
  /** "passport" (foreign-travel passport, 9 digits) or "id-card" (internal passport, 10 digits). */
  type: 'passport' | 'id-card';
  number: string;
  country: 'RUS';
}

export interface SyntheticRestriction {
  restrictionId: string;
  kind: SyntheticRestrictionKind;
  basis: string;
  office: string;
  /** ISO 8601 UTC instant, `YYYY-MM-DDTHH:MM:SSZ`. */
  issuedAt: string;
  /** Present once served (in force); always together with serviceChannel. */
  servedAt?: string;
  serviceChannel?: SyntheticServiceChannel;
  /** Present once lifted; always together with liftReason, and always after servedAt. */
  liftedAt?: string;
  liftReason?: SyntheticLiftReason;
}

export interface SyntheticDeferment {
  category: SyntheticDefermentCategory;
  /** ISO date, inclusive. */
  validFrom: string;
  /** ISO date, inclusive. */
  validTo: string;
}

export interface SyntheticPerson {
  /** "R-" + index, zero-padded to at least 7 digits. */
  personId: string;
  /** Cyrillic, feminine form for women; may be hyphenated (Петрова-Соколова). */
  surname: string;
  givenNames: string;
  /** Absent for a few persons (as for many naturalised citizens). */
  patronymic?: string;
  /** `YYYY-MM-DD`, or partial `YYYY` / `YYYY-MM` for about 2 % of persons. */
  dateOfBirth: string;
  sex: SyntheticSex;
  documents: SyntheticDocument[];
  /** Always present, usually empty. */
  restrictions: SyntheticRestriction[];
  /** Always present, usually empty. */
  deferments: SyntheticDeferment[];
}

export interface GenerateOptions {
  /** How many persons, from startIndex on. */
  count: number;
  /** Any integer; the same seed gives the same register. Default 1. */
  seed?: number;
  /** Index of the first person (persons are R-<index>). Default 0. */
  startIndex?: number;
  /**
   * Share of all persons holding a call-up notice, 0 ≤ share ≤ MAX_RESTRICTED_SHARE. Default 0.10.
   * Call-ups go to men aged 18–50 (95 %) and older reservists (5 %). Court orders (about 1 % of
   * persons) and bailiff bans (about 0.5 %) come on top and do not depend on this option.
   */
  restrictedShare?: number;
}

/** Persons are indexed 0 ≤ i < MAX_PERSONS: the capacity of the passport number space (7 series × 10^7). */
export const MAX_PERSONS = 70_000_000;
export const DEFAULT_RESTRICTED_SHARE = 0.1;

// ---------------------------------------------------------------------------------------------
// Shares and timing, in one place so the realism can be tuned without reading the generator.

const P_MALE = 0.49;
const YEAR_ONLY_SHARE = 0.01;
const YEAR_MONTH_SHARE = 0.01;
const HYPHENATED_SHARE = 0.01;
const NO_PATRONYMIC_SHARE = 0.025;
const ID_CARD_SHARE = 0.03;
const COURT_SHARE = 0.01;
const COURT_MALE_SHARE = 0.65;
const BAILIFF_SHARE = 0.005;
const DEFERMENT_SHARE = 0.03;
/** Of call-ups: served (in force), lifted (served, then lifted), the rest issued only. */
const CALL_UP_SERVED = 0.7;
const CALL_UP_LIFTED = 0.1;
/** Of call-ups, the share going to men aged 18–50; the rest go to reservists aged 51–65. */
const CALL_UP_CORE_SHARE = 0.95;

/** Reference year for ages: eligibility is judged by the age reached in this year. */
const AGE_YEAR = 2025;
const CORE_MIN_AGE = 18;
const CORE_MAX_AGE = 50;
const ADULT_MIN_AGE = 19;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** All instants fall in [WINDOW_START, WINDOW_END]. */
const WINDOW_START = Date.UTC(2024, 0, 1);
const WINDOW_END = Date.UTC(2026, 9, 31, 23, 59, 59);
const DEFERMENT_FROM_MIN = Date.UTC(2024, 0, 1);
const DEFERMENT_FROM_MAX = Date.UTC(2026, 5, 30);
const DEFERMENT_TO_MAX = Date.UTC(2027, 11, 31);

// ---------------------------------------------------------------------------------------------
// Small pure helpers: hashing, PRNG, weighted picks, a keyed bijection.

/** MurmurHash3's finaliser: a bijection on 32-bit integers with full avalanche. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * mulberry32, reseeded per person. A 32-bit state is plenty for the ~30 draws a person needs, and
 * reseeding from (seed, index) is what makes any index range reproducible on its own.
 */
class Rng {
  private state = 0;

  reset(seedKey: number, index: number): void {
    // imul by an odd constant, xor and fmix32 are each bijective, so distinct indices get distinct states.
    this.state = fmix32(Math.imul(index, 0x9e3779b1) ^ seedKey) | 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }
}

/** Walker's alias table (Vose's construction): a weighted pick in O(1) from one uniform draw. */
class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;
  readonly size: number;
  /** The normalised probability of each outcome, for computing expected shares. */
  readonly p: Float64Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new Error('alias table needs at least one weight');
    const total = weights.reduce((a, b) => a + b, 0);
    if (!(total > 0)) throw new Error('alias table weights must sum to a positive number');
    this.size = n;
    this.p = Float64Array.from(weights, (w) => w / total);
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const scaled = Float64Array.from(this.p, (p) => p * n);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((s, i) => (s < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s] as number;
      this.alias[s] = l;
      const rest = (scaled[l] as number) + (scaled[s] as number) - 1;
      scaled[l] = rest;
      (rest < 1 ? small : large).push(l);
    }
    // What is left is 1 up to rounding error.
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  pick(u: number): number {
    const x = u * this.size;
    const i = x | 0;
    return x - i < (this.prob[i] as number) ? i : (this.alias[i] as number);
  }
}

/**
 * A keyed permutation of [0, a·b): four rounds of "add a keyed hash of one half to the other half,
 * modulo its size". Every step is invertible, so the whole map is a bijection; that gives unique,
 * random-looking numbers without remembering which ones were used.
 */
class Permutation {
  private readonly a: number;
  private readonly b: number;
  private readonly keys: Uint32Array;

  constructor(a: number, b: number, seedKey: number, purpose: number) {
    this.a = a;
    this.b = b;
    this.keys = Uint32Array.from({ length: 8 }, (_, i) => fmix32(seedKey ^ fmix32(purpose * 16 + i + 1)));
  }

  get size(): number {
    return this.a * this.b;
  }

  apply(x: number): number {
    const { a, b, keys } = this;
    let l = Math.floor(x / b);
    let r = x - l * b;
    for (let k = 0; k < 8; k += 2) {
      l = (l + fmix32(r ^ (keys[k] as number))) % a;
      r = (r + fmix32(l ^ (keys[k + 1] as number))) % b;
    }
    return l * b + r;
  }
}

const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

function pad2(n: number): string {
  return PAD2[n] as string;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

// Date#toISOString was a tenth of the export time; every date the generator writes falls in a few
// years, so their day strings are made once.
const DAY_STRINGS_FROM = Date.UTC(2023, 0, 1) / DAY;
const DAY_STRINGS: readonly string[] = Array.from({ length: 6 * 366 }, (_, i) => new Date((DAY_STRINGS_FROM + i) * DAY).toISOString().slice(0, 10));

function isoDate(ms: number): string {
  return DAY_STRINGS[Math.floor(ms / DAY) - DAY_STRINGS_FROM] ?? new Date(ms).toISOString().slice(0, 10);
}

/** `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, as in the contract's examples). */
function isoInstant(ms: number): string {
  const s = Math.floor(ms / SECOND) % 86_400;
  return isoDate(ms) + 'T' + pad2(Math.floor(s / 3600)) + ':' + pad2(Math.floor(s / 60) % 60) + ':' + pad2(s % 60) + 'Z';
}

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Midnight UTC of the day `months` after the given one, minus one day: the inclusive end of a term. */
function termEnd(fromMs: number, months: number): number {
  const d = new Date(fromMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate()) - DAY;
}

// ---------------------------------------------------------------------------------------------
// Names.

const VOWELS = 'аеёиоуыэюяйьъ';

/**
 * The patronymic from the father's given name. Regular rules: consonant → -ович/-овна; -ь, -й after
 * a vowel, and hushing consonants → -евич/-евна; -ий → -ьевич (Юрий) or, after two consonants,
 * -иевич (Дмитрий, Георгий). Everything else, including every name in -а/-я, must be listed in
 * IRREGULAR_PATRONYMICS.
 */
export function patronymicOf(fatherName: string, sex: SyntheticSex): string {
  const irregular = IRREGULAR_PATRONYMICS[fatherName];
  if (irregular) return sex === 'M' ? irregular[0] : irregular[1];
  let stem: string;
  if (fatherName.endsWith('ий')) {
    const base = fatherName.slice(0, -2);
    const tail = base.slice(-2).toLowerCase();
    const twoConsonants = tail.length === 2 && !VOWELS.includes(tail.charAt(0)) && !VOWELS.includes(tail.charAt(1));
    stem = base + (twoConsonants ? 'иев' : 'ьев');
  } else if (/[аеёиоуыэюя]й$/.test(fatherName) || fatherName.endsWith('ь')) {
    stem = fatherName.slice(0, -1) + 'ев';
  } else if (/[жшчщц]$/.test(fatherName)) {
    stem = fatherName + 'ев';
  } else if (/[бвгдзклмнпрстфх]$/.test(fatherName)) {
    stem = fatherName + 'ов';
  } else {
    throw new Error(`no patronymic rule for "${fatherName}"; add it to IRREGULAR_PATRONYMICS`);
  }
  return stem + (sex === 'M' ? 'ич' : 'на');
}

function femininePart(s: string): string {
  if (/(ов|ев|ёв|ин|ын)$/.test(s)) return s + 'а';
  if (/(ский|цкий)$/.test(s)) return s.slice(0, -2) + 'ая';
  // Толстой → Толстая; the length guard keeps short foreign names such as Цой invariable.
  if (s.length > 4 && s.endsWith('ой')) return s.slice(0, -2) + 'ая';
  // -енко, -ук, -ич, -ых/-их, -ян, -дзе and foreign consonant endings do not change.
  return s;
}

/** The feminine form of a masculine surname, part by part for hyphenated ones (Римский-Корсаков → Римская-Корсакова). */
export function feminineSurname(masculine: string): string {
  return masculine.includes('-') ? masculine.split('-').map(femininePart).join('-') : femininePart(masculine);
}

const PALATAL: Readonly<Record<string, string>> = { к: 'ч', г: 'ж', х: 'ш' };

/** Suffixes of Ukrainian and Belarusian origin, whose spelling has no ё (Федоренко, not Фёдоренко). */
const NO_YO_SUFFIX = /^[\^~]?(енко|енков|ук|ович)$/;

/** The surname from a tail root and suffix, or undefined where the pair would not sound like a name. */
function attachSuffix(root: string, suffix: string): string | undefined {
  const stem = NO_YO_SUFFIX.test(suffix) ? root.replaceAll('ё', 'е') : root;
  const last = stem.at(-1) as string;
  if (suffix === '~ук') {
    // Сидорук, Игнатюк/Мартынюк, Климчук/Остапчук.
    return stem + (last === 'р' ? 'ук' : 'дзлнст'.includes(last) ? 'юк' : 'чук');
  }
  if (!suffix.startsWith('^')) return stem + suffix;
  // Palatalising -щик/-чик gives "Ямщиченко": leave those to -ов.
  if (/[щч]ик$/.test(stem)) return undefined;
  return stem.slice(0, -1) + (PALATAL[last] ?? last) + suffix.slice(1);
}

/** How the surname draw splits between the listed surnames and each kind of generated one. */
const SURNAME_MIX: Readonly<Record<'listed' | TailRootClass | 'compound', number>> = {
  listed: 0.4,
  noun: 0.22,
  agent: 0.06,
  velar: 0.04,
  diminutive: 0.06,
  baptismal: 0.14,
  compound: 0.08,
};

interface SurnameTable {
  masculine: string[];
  feminine: string[];
  table: AliasTable;
}

function surnameTable(entries: Map<string, number>): SurnameTable {
  const masculine = [...entries.keys()];
  return { masculine, feminine: masculine.map(feminineSurname), table: new AliasTable([...entries.values()]) };
}

function buildSurnames(): { all: SurnameTable; listed: SurnameTable } {
  const weights = new Map<string, number>();
  const add = (name: string, w: number) => weights.set(name, (weights.get(name) ?? 0) + w);

  const listedTotal = SURNAMES.reduce((s, [, w]) => s + w, 0);
  for (const [name, w] of SURNAMES) add(name, (SURNAME_MIX.listed * w) / listedTotal);

  for (const cls of Object.keys(TAIL_ROOTS) as TailRootClass[]) {
    const roots = TAIL_ROOTS[cls].split(/\s+/).filter(Boolean);
    const suffixes = TAIL_SUFFIXES[cls];
    const suffixTotal = suffixes.reduce((s, [, w]) => s + w, 0);
    for (const root of roots) {
      for (const [suffix, w] of suffixes) {
        const name = attachSuffix(root, suffix);
        if (name !== undefined) add(name, (SURNAME_MIX[cls] * w) / suffixTotal / roots.length);
      }
    }
  }

  const compounds = COMPOUND_SURNAMES.flatMap((g) => g.prefixes.flatMap((p) => g.endings.map((e) => p + e)));
  for (const name of compounds) add(name, SURNAME_MIX.compound / compounds.length);

  return { all: surnameTable(weights), listed: surnameTable(new Map(SURNAMES.map(([n, w]) => [n, w]))) };
}

const SURNAME_TABLES = buildSurnames();

/** How many distinct surnames (masculine forms, before hyphenation) the generator can produce. */
export const DISTINCT_SURNAMES = SURNAME_TABLES.all.masculine.length;

interface GivenNameTable {
  names: string[];
  table: AliasTable;
}

function givenNameTable(rows: readonly (readonly [string, ...number[]])[], column: number): GivenNameTable {
  return { names: rows.map((r) => r[0]), table: new AliasTable(rows.map((r) => r[column] as number)) };
}

/** Cohort split: names given to persons born before 1985, and from 1985 on. */
const YOUNG_COHORT_FROM = 1985;
const MALE_FATHERS_OLD = givenNameTable(MALE_NAMES, 1);
const MALE_BORN_1960 = givenNameTable(MALE_NAMES, 2);
const MALE_BORN_1985 = givenNameTable(MALE_NAMES, 3);
const FEMALE_BORN_1960 = givenNameTable(FEMALE_NAMES, 1);
const FEMALE_BORN_1985 = givenNameTable(FEMALE_NAMES, 2);
/** Indexed like MALE_NAMES, so a father drawn from any male table maps straight to a patronymic. */
const PATRONYMIC_M = MALE_NAMES.map(([n]) => patronymicOf(n, 'M'));
const PATRONYMIC_F = MALE_NAMES.map(([n]) => patronymicOf(n, 'F'));

// ---------------------------------------------------------------------------------------------
// Dates of birth.

const FIRST_BIRTH_YEAR = 1960;
/**
 * Approximate live births per year in the RSFSR / Russian Federation, thousands, 1960–2008, so that
 * the 1987 peak and the 1999 trough show. Mortality and migration are ignored.
 */
const BIRTHS: readonly number[] = [
  2782, 2662, 2482, 2331, 2121, 1991, 1957, 1852, 1817, 1847, // 1960–1969
  1904, 1974, 2015, 1995, 2080, 2106, 2146, 2156, 2179, 2179, // 1970–1979
  2203, 2237, 2328, 2478, 2409, 2375, 2486, 2500, 2349, 2161, // 1980–1989
  1989, 1795, 1588, 1379, 1408, 1364, 1305, 1260, 1283, 1215, // 1990–1999
  1267, 1312, 1397, 1477, 1502, 1457, 1480, 1610, 1714, //       2000–2008
];
const BIRTH_YEARS = new AliasTable(BIRTHS);

function yearShare(predicate: (year: number) => boolean): number {
  let s = 0;
  BIRTH_YEARS.p.forEach((p, i) => {
    if (predicate(FIRST_BIRTH_YEAR + i)) s += p;
  });
  return s;
}

const ageOf = (year: number) => AGE_YEAR - year;
/** Shares of all persons in each eligibility group, used to turn target shares into probabilities. */
const CORE_MEN = P_MALE * yearShare((y) => ageOf(y) >= CORE_MIN_AGE && ageOf(y) <= CORE_MAX_AGE);
const SENIOR_MEN = P_MALE * yearShare((y) => ageOf(y) > CORE_MAX_AGE);
const ADULTS = yearShare((y) => ageOf(y) >= ADULT_MIN_AGE);

/** The largest restrictedShare possible: every man old enough to be called up. */
export const MAX_RESTRICTED_SHARE = CORE_MEN + SENIOR_MEN;

/** Month (1–12) and day for each day of the year, for common and leap years. */
function dayTable(leap: boolean): { month: Uint8Array; day: Uint8Array } {
  const lengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
  const month = new Uint8Array(leap ? 366 : 365);
  const day = new Uint8Array(month.length);
  let i = 0;
  lengths.forEach((len, m) => {
    for (let d = 1; d <= len; d++, i++) {
      month[i] = m + 1;
      day[i] = d;
    }
  });
  return { month, day };
}
const DAYS_COMMON = dayTable(false);
const DAYS_LEAP = dayTable(true);

// ---------------------------------------------------------------------------------------------
// Offices.

export interface City {
  code: string;
  weight: number;
  commissariats: number;
  courts: readonly string[];
  /** Region number used in bailiff (FSSP) case numbers. */
  region: string;
}

export const CITIES: readonly City[] = [
  { code: 'Moscow', weight: 30, commissariats: 12, courts: ['Tverskoy', 'Meshchansky', 'Basmanny', 'Presnensky', 'Khamovnichesky', 'Zamoskvoretsky', 'Tagansky', 'Savyolovsky'], region: '77' },
  { code: 'SPb', weight: 14, commissariats: 6, courts: ['Smolninsky', 'Dzerzhinsky', 'Kuibyshevsky', 'Vasileostrovsky', 'Primorsky'], region: '78' },
  { code: 'Novosibirsk', weight: 5, commissariats: 4, courts: ['Tsentralny', 'Leninsky'], region: '54' },
  { code: 'Yekaterinburg', weight: 5, commissariats: 4, courts: ['Leninsky', 'Verkh-Isetsky'], region: '66' },
  { code: 'Kazan', weight: 4, commissariats: 3, courts: ['Vakhitovsky', 'Sovetsky'], region: '16' },
  { code: 'NNovgorod', weight: 4, commissariats: 3, courts: ['Nizhegorodsky', 'Sovetsky'], region: '52' },
  { code: 'Chelyabinsk', weight: 4, commissariats: 3, courts: ['Tsentralny'], region: '74' },
  { code: 'Samara', weight: 4, commissariats: 3, courts: ['Samarsky', 'Leninsky'], region: '63' },
  { code: 'Omsk', weight: 3, commissariats: 2, courts: ['Kuibyshevsky'], region: '55' },
  { code: 'Rostov', weight: 3, commissariats: 3, courts: ['Kirovsky'], region: '61' },
  { code: 'Ufa', weight: 3, commissariats: 2, courts: ['Kirovsky'], region: '02' },
  { code: 'Krasnoyarsk', weight: 3, commissariats: 2, courts: ['Tsentralny'], region: '24' },
  { code: 'Voronezh', weight: 3, commissariats: 2, courts: ['Leninsky'], region: '36' },
  { code: 'Perm', weight: 3, commissariats: 2, courts: ['Leninsky'], region: '59' },
  { code: 'Volgograd', weight: 3, commissariats: 2, courts: ['Tsentralny'], region: '34' },
];
const CITY_TABLE = new AliasTable(CITIES.map((c) => c.weight));

// ---------------------------------------------------------------------------------------------
// Categorical mixes.

function mix<T extends string>(entries: readonly (readonly [T, number])[]): { values: T[]; table: AliasTable } {
  return { values: entries.map(([v]) => v), table: new AliasTable(entries.map(([, w]) => w)) };
}

function pickFrom<T>(rng: Rng, m: { values: T[]; table: AliasTable }): T {
  return m.values[m.table.pick(rng.next())] as T;
}

const CALL_UP_CHANNELS = mix<SyntheticServiceChannel>([['in-person', 45], ['post', 20], ['portal', 35]]);
const COURT_CHANNELS = mix<SyntheticServiceChannel>([['in-person', 35], ['post', 55], ['portal', 10]]);
const BAILIFF_CHANNELS = mix<SyntheticServiceChannel>([['portal', 60], ['post', 40]]);
const CALL_UP_LIFT = mix<SyntheticLiftReason>([['deferment', 40], ['exemption', 20], ['cancellation', 25], ['expiry', 10], ['other', 5]]);
const COURT_LIFT = mix<SyntheticLiftReason>([['cancellation', 50], ['expiry', 35], ['other', 15]]);
const BAILIFF_LIFT = mix<SyntheticLiftReason>([['cancellation', 60], ['expiry', 30], ['other', 10]]);
/** Deferment categories by age: study deferments belong to the young, family ones to the older. */
const DEFERMENTS_UNDER_25 = mix<SyntheticDefermentCategory>([['student', 60], ['health', 20], ['family', 5], ['occupation', 10], ['other', 5]]);
const DEFERMENTS_25_30 = mix<SyntheticDefermentCategory>([['student', 10], ['health', 25], ['family', 20], ['occupation', 35], ['other', 10]]);
const DEFERMENTS_OVER_30 = mix<SyntheticDefermentCategory>([['health', 25], ['family', 35], ['occupation', 30], ['other', 10]]);

// ---------------------------------------------------------------------------------------------
// Per-register plan: keys and probabilities that depend on the options, computed once per call.

interface Plan {
  seedKey: number;
  passport: Permutation;
  idCard: Permutation;
  callUpNo: Permutation;
  courtNo: Permutation;
  bailiffNo: Permutation;
  pCallUpCore: number;
  pCallUpSenior: number;
  pCourtMale: number;
  pCourtFemale: number;
  pBailiff: number;
  pDeferment: number;
}

function planFor(seed: number, restrictedShare: number): Plan {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  if (!(restrictedShare >= 0 && restrictedShare <= MAX_RESTRICTED_SHARE)) {
    throw new RangeError(`restrictedShare must be between 0 and ${MAX_RESTRICTED_SHARE.toFixed(3)} (all men of call-up age), got ${restrictedShare}`);
  }
  const seedKey = fmix32(fmix32(seed >>> 0) ^ Math.floor(seed / 2 ** 32) ^ 0x5bd1e995);

  let pCallUpCore = (restrictedShare * CALL_UP_CORE_SHARE) / CORE_MEN;
  let pCallUpSenior = (restrictedShare * (1 - CALL_UP_CORE_SHARE)) / SENIOR_MEN;
  if (pCallUpCore > 1) {
    // Past what the 18–50 group can hold, the rest falls to the reservists.
    pCallUpCore = 1;
    pCallUpSenior = (restrictedShare - CORE_MEN) / SENIOR_MEN;
  }
  // Lifts "for deferment" already give some men a deferment; the independent ones make up the rest.
  const viaLift = restrictedShare * CALL_UP_LIFTED * (CALL_UP_LIFT.table.p[0] as number);
  return {
    seedKey,
    // Foreign-travel passports: series 70–76 and a 7-digit number.
    passport: new Permutation(7_000, 10_000, seedKey, 1),
    // Internal passports: a 2-digit region slot (01–99) and a 6-digit number.
    idCard: new Permutation(9_900, 10_000, seedKey, 2),
    callUpNo: new Permutation(10_000, 10_000, seedKey, 3),
    courtNo: new Permutation(10_000, 10_000, seedKey, 4),
    bailiffNo: new Permutation(10_000, 10_000, seedKey, 5),
    pCallUpCore,
    pCallUpSenior: Math.min(1, pCallUpSenior),
    pCourtMale: (COURT_SHARE * COURT_MALE_SHARE) / (P_MALE * ADULTS),
    pCourtFemale: (COURT_SHARE * (1 - COURT_MALE_SHARE)) / ((1 - P_MALE) * ADULTS),
    pBailiff: BAILIFF_SHARE / ADULTS,
    pDeferment: Math.max(0, DEFERMENT_SHARE - viaLift) / CORE_MEN,
  };
}

// ---------------------------------------------------------------------------------------------
// Restrictions and deferments.

/** A weekday instant in office hours (09:00–18:00 Moscow, 06:00–15:00 UTC) on a day in [fromMs, toMs]. */
function officeInstant(rng: Rng, fromMs: number, toMs: number): number {
  const d0 = Math.ceil(fromMs / DAY);
  const d1 = Math.max(d0, Math.floor(toMs / DAY));
  let d = d0 + rng.below(d1 - d0 + 1);
  const weekday = (d + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday, 6 = Saturday
  if (weekday === 6) d = d + 2 <= d1 ? d + 2 : d - 1;
  else if (weekday === 0) d = d + 1 <= d1 ? d + 1 : d - 2;
  if (d < d0) d = d0;
  return d * DAY + 6 * HOUR + rng.below(9 * 60) * MINUTE;
}

/** Office hours on the day `days` after the given instant's day. */
function officeHoursLater(rng: Rng, ms: number, days: number): number {
  return (Math.floor(ms / DAY) + days) * DAY + 6 * HOUR + rng.below(9 * 60) * MINUTE;
}

function servedAfter(rng: Rng, issuedAt: number, channel: SyntheticServiceChannel): number {
  switch (channel) {
    case 'in-person':
      return officeHoursLater(rng, issuedAt, 1 + rng.below(14));
    case 'post':
      // A registered letter takes days to weeks to be handed over.
      return officeHoursLater(rng, issuedAt, 3 + rng.below(19));
    case 'portal':
      // An electronic notice counts as served when opened, or seven days after it was posted (53-FZ art. 31).
      return rng.next() < 0.5 ? issuedAt + 7 * DAY : issuedAt + 5 * MINUTE + rng.below(72 * 3600) * SECOND;
  }
}

/** An instant in (afterMs, min(afterMs + maxDays, WINDOW_END)], at least minDays later when room allows. */
function laterInstant(rng: Rng, afterMs: number, minDays: number, maxDays: number): number {
  const hi = Math.min(afterMs + maxDays * DAY, WINDOW_END);
  const lo = Math.min(afterMs + minDays * DAY, hi - HOUR);
  return lo + rng.below(Math.floor((hi - lo) / SECOND) + 1) * SECOND;
}

interface Lifecycle {
  issuedAt: number;
  servedAt?: number;
  channel?: SyntheticServiceChannel;
  liftedAt?: number;
  reason?: SyntheticLiftReason;
}

function restriction(
  restrictionId: string,
  kind: SyntheticRestrictionKind,
  basis: string,
  office: string,
  life: Lifecycle,
): SyntheticRestriction {
  const r: SyntheticRestriction = { restrictionId, kind, basis, office, issuedAt: isoInstant(life.issuedAt) };
  if (life.servedAt !== undefined && life.channel !== undefined) {
    r.servedAt = isoInstant(life.servedAt);
    r.serviceChannel = life.channel;
    if (life.liftedAt !== undefined && life.reason !== undefined) {
      r.liftedAt = isoInstant(life.liftedAt);
      r.liftReason = life.reason;
    }
  }
  return r;
}

function defermentFrom(rng: Rng, age: number, fromMs: number | undefined): SyntheticDeferment {
  const categories = age < 25 ? DEFERMENTS_UNDER_25 : age <= 30 ? DEFERMENTS_25_30 : DEFERMENTS_OVER_30;
  const category = pickFrom(rng, categories);
  if (category === 'student') {
    // Study deferments run for whole academic years: from 1 September to 30 June of a later year.
    let startYear: number;
    let validFrom: string;
    if (fromMs === undefined) {
      startYear = 2023 + rng.below(3);
      validFrom = `${startYear}-09-01`;
    } else {
      const d = new Date(fromMs);
      startYear = d.getUTCMonth() >= 6 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
      validFrom = isoDate(fromMs);
    }
    const endYear = startYear + 1 + rng.below(Math.max(1, Math.min(4, 2027 - startYear)));
    return { category, validFrom, validTo: `${endYear}-06-30` };
  }
  const from = fromMs ?? DEFERMENT_FROM_MIN + rng.below((DEFERMENT_FROM_MAX - DEFERMENT_FROM_MIN) / DAY + 1) * DAY;
  let to: number;
  switch (category) {
    case 'health':
      // A medical board grants six or twelve months, then re-examines.
      to = termEnd(from, rng.next() < 0.5 ? 6 : 12);
      break;
    case 'family':
      to = termEnd(from, 12 + rng.below(25));
      break;
    case 'occupation': {
      // Occupational (e.g. IT, defence industry) deferments are confirmed per calendar year.
      const y = new Date(from).getUTCFullYear() + (new Date(from).getUTCMonth() >= 9 ? 1 : 0) + rng.below(2);
      to = Date.UTC(y, 11, 31);
      break;
    }
    default:
      to = termEnd(from, 3 + rng.below(10));
  }
  to = Math.max(from, Math.min(to, DEFERMENT_TO_MAX));
  return { category, validFrom: isoDate(from), validTo: isoDate(to) };
}

// ---------------------------------------------------------------------------------------------
// The person.

function buildPerson(plan: Plan, rng: Rng, index: number): SyntheticPerson {
  rng.reset(plan.seedKey, index);

  const male = rng.next() < P_MALE;
  const sex: SyntheticSex = male ? 'M' : 'F';

  const year = FIRST_BIRTH_YEAR + BIRTH_YEARS.pick(rng.next());
  const days = isLeap(year) ? DAYS_LEAP : DAYS_COMMON;
  const dayOfYear = rng.below(days.month.length);
  const month = days.month[dayOfYear] as number;
  const day = days.day[dayOfYear] as number;
  const precision = rng.next();
  let dateOfBirth: string;
  /** The 18th birthday, or the earliest day it can be when the date is partial. */
  let adultFrom: number;
  if (precision < YEAR_ONLY_SHARE) {
    dateOfBirth = String(year);
    adultFrom = Date.UTC(year + 19, 0, 1);
  } else if (precision < YEAR_ONLY_SHARE + YEAR_MONTH_SHARE) {
    dateOfBirth = `${year}-${pad2(month)}`;
    adultFrom = Date.UTC(year + 18, month, 1);
  } else {
    dateOfBirth = `${year}-${pad2(month)}-${pad2(day)}`;
    adultFrom = Date.UTC(year + 18, month - 1, day);
  }

  const young = year >= YOUNG_COHORT_FROM;
  const given = male ? (young ? MALE_BORN_1985 : MALE_BORN_1960) : young ? FEMALE_BORN_1985 : FEMALE_BORN_1960;
  const givenNames = given.names[given.table.pick(rng.next())] as string;

  let surname: string;
  if (rng.next() < HYPHENATED_SHARE) {
    const t = SURNAME_TABLES.listed;
    const a = t.table.pick(rng.next());
    let b = t.table.pick(rng.next());
    if (b === a) b = (a + 1) % t.masculine.length;
    const forms = male ? t.masculine : t.feminine;
    surname = `${forms[a]}-${forms[b]}`;
  } else {
    const t = SURNAME_TABLES.all;
    surname = (male ? t.masculine : t.feminine)[t.table.pick(rng.next())] as string;
  }

  let patronymic: string | undefined;
  if (rng.next() >= NO_PATRONYMIC_SHARE) {
    // Fathers of persons born before 1985 were born around 1930–1959; later fathers, 1960–1984.
    const fathers = young ? MALE_BORN_1960 : MALE_FATHERS_OLD;
    const f = fathers.table.pick(rng.next());
    patronymic = (male ? PATRONYMIC_M : PATRONYMIC_F)[f];
  }

  const passport = plan.passport.apply(index);
  const documents: SyntheticDocument[] = [
    { type: 'passport', number: String(70 + Math.floor(passport / 10_000_000)) + pad(passport % 10_000_000, 7), country: 'RUS' },
  ];
  if (rng.next() < ID_CARD_SHARE) {
    const id = plan.idCard.apply(index);
    // Internal passports are issued at 14 and replaced at 20 and 45: the series carries the year of the latest.
    const issued = year + 45 <= 2024 ? year + 45 : year + 20 <= 2024 ? year + 20 : year + 14;
    documents.push({ type: 'id-card', number: pad2(1 + Math.floor(id / 1_000_000)) + pad2(issued % 100) + pad(id % 1_000_000, 6), country: 'RUS' });
  }

  const age = ageOf(year);
  const restrictions: SyntheticRestriction[] = [];
  const deferments: SyntheticDeferment[] = [];
  let cityIndex = -1;
  const city = (): City => {
    if (cityIndex < 0) cityIndex = CITY_TABLE.pick(rng.next());
    return CITIES[cityIndex] as City;
  };
  const earliest = Math.max(WINDOW_START, adultFrom);

  const pCallUp = !male ? 0 : age >= CORE_MIN_AGE && age <= CORE_MAX_AGE ? plan.pCallUpCore : age > CORE_MAX_AGE ? plan.pCallUpSenior : 0;
  if (pCallUp > 0 && rng.next() < pCallUp) {
    const c = city();
    const office = `MO-${c.code}-${1 + rng.below(c.commissariats)}`;
    const state = rng.next();
    const life: Lifecycle =
      state < CALL_UP_SERVED + CALL_UP_LIFTED
        ? { issuedAt: officeInstant(rng, earliest, WINDOW_END - 60 * DAY) }
        : // Notices still waiting for service are recent ones.
          { issuedAt: officeInstant(rng, Math.max(earliest, WINDOW_END - 90 * DAY), WINDOW_END - DAY) };
    if (state < CALL_UP_SERVED + CALL_UP_LIFTED) {
      life.channel = pickFrom(rng, CALL_UP_CHANNELS);
      life.servedAt = servedAfter(rng, life.issuedAt, life.channel);
      if (state >= CALL_UP_SERVED) {
        life.reason = pickFrom(rng, CALL_UP_LIFT);
        life.liftedAt = laterInstant(rng, life.servedAt, 1, 180);
        if (life.reason === 'deferment') {
          // The deferment was granted shortly before the notice was lifted because of it.
          deferments.push(defermentFrom(rng, age, Math.floor(life.liftedAt / DAY) * DAY - rng.below(15) * DAY));
        }
      }
    }
    const n = plan.callUpNo.apply(index);
    const issueYear = new Date(life.issuedAt).getUTCFullYear();
    restrictions.push(
      restriction(`CU-${issueYear}-${pad(n, 8)}`, 'call-up', `Call-up notice ${1 + (n % 99_999)}/${issueYear}, art. 31 of Federal Law 53-FZ`, office, life),
    );
  }

  if (age >= ADULT_MIN_AGE && rng.next() < (male ? plan.pCourtMale : plan.pCourtFemale)) {
    const c = city();
    const office = `CT-${c.code}-${c.courts[rng.below(c.courts.length)]}`;
    const state = rng.next();
    // A court's exit ban is in force once the ruling takes legal effect; pending ones are recent.
    const life: Lifecycle =
      state < 0.92
        ? { issuedAt: officeInstant(rng, earliest, WINDOW_END - 120 * DAY) }
        : { issuedAt: officeInstant(rng, Math.max(earliest, WINDOW_END - 30 * DAY), WINDOW_END - DAY) };
    if (state < 0.92) {
      life.channel = pickFrom(rng, COURT_CHANNELS);
      life.servedAt = officeHoursLater(rng, life.issuedAt, 10 + rng.below(26));
      if (state >= 0.8) {
        life.reason = pickFrom(rng, COURT_LIFT);
        life.liftedAt = laterInstant(rng, life.servedAt, 30, 365);
      }
    }
    const n = plan.courtNo.apply(index);
    const issueYear = new Date(life.issuedAt).getUTCFullYear();
    // Civil cases (debts, alimony) are numbered 2-…, criminal ones 1-….
    const caseNo = `${rng.next() < 0.8 ? 2 : 1}-${1 + (n % 9_999)}/${issueYear}`;
    restrictions.push(
      restriction(`CT-${issueYear}-${pad(n, 8)}`, 'court-order', `Court order ${caseNo}, art. 15 of Federal Law 114-FZ`, office, life),
    );
  }

  if (age >= ADULT_MIN_AGE && rng.next() < plan.pBailiff) {
    const c = city();
    const department = 1 + rng.below(c.commissariats);
    const state = rng.next();
    const life: Lifecycle =
      state < 0.9
        ? { issuedAt: officeInstant(rng, earliest, WINDOW_END - 60 * DAY) }
        : { issuedAt: officeInstant(rng, Math.max(earliest, WINDOW_END - 20 * DAY), WINDOW_END - DAY) };
    if (state < 0.9) {
      life.channel = pickFrom(rng, BAILIFF_CHANNELS);
      life.servedAt =
        life.channel === 'portal' ? life.issuedAt + 5 * MINUTE + rng.below(72 * 3600) * SECOND : officeHoursLater(rng, life.issuedAt, 3 + rng.below(8));
      if (state >= 0.65) {
        // A bailiff's ban lasts at most six months, and ends early once the debt is paid.
        life.reason = pickFrom(rng, BAILIFF_LIFT);
        life.liftedAt = laterInstant(rng, life.servedAt, 7, 183);
      }
    }
    const n = plan.bailiffNo.apply(index);
    const issueYear = new Date(life.issuedAt).getUTCFullYear();
    const proceedings = `${1 + (n % 99_999)}/${pad2(issueYear % 100)}/${c.region}${pad(department, 3)}-IP`;
    restrictions.push(
      restriction(`OT-${issueYear}-${pad(n, 8)}`, 'other', `Bailiff decision ${proceedings}, art. 67 of Federal Law 229-FZ`, `FSSP-${c.code}-${department}`, life),
    );
  }

  // A register never holds a served, unlifted call-up beside a deferment covering it (the register
  // refuses to record such a service), so independent deferments go to men without one.
  const openCallUp = restrictions.some((r) => r.kind === 'call-up' && r.servedAt !== undefined && r.liftedAt === undefined);
  if (deferments.length === 0 && !openCallUp && male && age >= CORE_MIN_AGE && age <= CORE_MAX_AGE && rng.next() < plan.pDeferment) {
    deferments.push(defermentFrom(rng, age, undefined));
  }

  const personId = 'R-' + pad(index, 7);
  return patronymic === undefined
    ? { personId, surname, givenNames, dateOfBirth, sex, documents, restrictions, deferments }
    : { personId, surname, givenNames, patronymic, dateOfBirth, sex, documents, restrictions, deferments };
}

function checkRange(startIndex: number, count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (!Number.isSafeInteger(startIndex) || startIndex < 0) throw new RangeError(`startIndex must be a non-negative integer, got ${startIndex}`);
  if (startIndex + count > MAX_PERSONS) {
    throw new RangeError(`persons ${startIndex}..${startIndex + count - 1} exceed the ${MAX_PERSONS} the passport number space can hold`);
  }
}

/**
 * Streams persons startIndex, startIndex+1, … in constant memory. Person i depends only on the seed,
 * restrictedShare and i, so [0, n) followed by [n, m) equals [0, m), and ranges can be produced in
 * parallel. The options are checked at once (a RangeError here, not at the first next()).
 */
export function generatePersons(options: GenerateOptions): Generator<SyntheticPerson> {
  const { count, seed = 1, startIndex = 0, restrictedShare = DEFAULT_RESTRICTED_SHARE } = options;
  checkRange(startIndex, count);
  const plan = planFor(seed, restrictedShare);
  return persons(plan, startIndex, startIndex + count);
}

function* persons(plan: Plan, start: number, end: number): Generator<SyntheticPerson> {
  const rng = new Rng();
  for (let i = start; i < end; i++) yield buildPerson(plan, rng, i);
}

/** Person `index` of the register that generatePersons would produce with the same seed and share. */
export function generatePerson(index: number, options: Omit<GenerateOptions, 'count' | 'startIndex'> = {}): SyntheticPerson {
  checkRange(index, 1);
  return buildPerson(planFor(options.seed ?? 1, options.restrictedShare ?? DEFAULT_RESTRICTED_SHARE), new Rng(), index);
}

/**
 * One JSON Lines line per person, each terminated by "\n", so the lines can be written to a file or
 * stream as they are (e.g. `Readable.from(toJsonLines(persons)).pipe(createWriteStream(file))`).
 * Each line is exactly `JSON.stringify(person) + "\n"`.
 */
export function* toJsonLines(persons: Iterable<SyntheticPerson>): Generator<string> {
  for (const p of persons) yield personJson(p);
}

// JSON.stringify is the bottleneck of a 10-million-line export (Cyrillic strings take its slow path),
// so persons of the generator's own shape are written by hand: about twice as fast. Anything else,
// or anything that would need escaping, goes through JSON.stringify, so the output is always identical.
const PERSON_KEYS = ['personId', 'surname', 'givenNames', 'patronymic', 'dateOfBirth', 'sex', 'documents', 'restrictions', 'deferments'];
const DOCUMENT_KEYS = ['type', 'number', 'country'];

const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

function quote(s: unknown): string {
  return typeof s === 'string' && !NEEDS_ESCAPE.test(s) ? '"' + s + '"' : (JSON.stringify(s) as string);
}

/** Whether `o` has exactly these keys in this order (`optional` may be missing), none undefined-valued. */
function hasShape(o: object, keys: readonly string[], optional: string | undefined): boolean {
  let i = 0;
  for (const k in o) {
    if (k !== keys[i] && keys[i] === optional) i++;
    if (k !== keys[i] || (o as Record<string, unknown>)[k] === undefined) return false;
    i++;
  }
  return i === keys.length || (i === keys.length - 1 && keys[i] === optional);
}

/** The person's line, newline included: exactly JSON.stringify(p) + "\n". */
function personJson(p: SyntheticPerson): string {
  if (!hasShape(p, PERSON_KEYS, 'patronymic') || !Array.isArray(p.documents) || !Array.isArray(p.restrictions) || !Array.isArray(p.deferments)) {
    return JSON.stringify(p) + '\n';
  }
  let out = '{"personId":' + quote(p.personId) + ',"surname":' + quote(p.surname) + ',"givenNames":' + quote(p.givenNames);
  if (p.patronymic !== undefined) out += ',"patronymic":' + quote(p.patronymic);
  out += ',"dateOfBirth":' + quote(p.dateOfBirth) + ',"sex":' + quote(p.sex) + ',"documents":';
  const d = p.documents[0];
  out +=
    p.documents.length === 1 && d !== undefined && hasShape(d, DOCUMENT_KEYS, undefined)
      ? '[{"type":' + quote(d.type) + ',"number":' + quote(d.number) + ',"country":' + quote(d.country) + '}]'
      : JSON.stringify(p.documents);
  out += ',"restrictions":' + (p.restrictions.length === 0 ? '[]' : JSON.stringify(p.restrictions));
  out += ',"deferments":' + (p.deferments.length === 0 ? '[]' : JSON.stringify(p.deferments));
  return out + '}\n';
}
