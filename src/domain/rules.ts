/**
 * Category-wide exit bans ("every male citizen aged 18 to 60 may not leave") as data, and the pure
 * question a checkpoint asks of one: is this traveller in its scope on the day of crossing?
 *
 * The answer is three-valued. `unknown` is not a polite `no`: a traveller whose sex is unknown or whose
 * partial date of birth straddles an age boundary is sent to an officer (refer), never guessed at.
 *
 * Ages are whole years on the calendar date of the crossing in the checkpoint's time zone. A person
 * born on 29 February reaches a new age, in a common year, on 28 February by default: a period counted
 * in years ends on the corresponding day of the month, or on the month's last day when it has no such
 * day (the Russian Civil Code, art. 192(3)); `leapDayBirthday: 'mar-1'` follows the other common rule.
 */
import { parsePartialDate } from './dates.js';
import type { DefermentCategory } from './types.js';

export interface RuleScope {
  /** Nationality codes of the travel document (ICAO, e.g. RUS) that the rule covers. */
  nationalities: string[];
  /** Only this sex; absent: any. */
  sex?: 'M' | 'F';
  /** Age in whole years on the day of crossing, inclusive: 18–60 covers the 18th birthday to the day before the 61st. */
  ageFrom: number;
  ageTo: number;
  /** Optionally, only documents issued by these states (ICAO codes). */
  documentCountries?: string[];
}

export interface CategoryRule {
  ruleId: string;
  /** 1 when issued, +1 with each amendment or revocation; a screening names the version that decided it. */
  version: number;
  title: string;
  scope: RuleScope;
  basis: string;
  /** The authority that issued the rule (a decree's author, a ministry). */
  authority: string;
  /** Calendar dates, inclusive, read in the checkpoint's time zone. */
  validFrom: string;
  validTo?: string;
  /** Holders of a valid deferment or exemption of these categories are released from the rule. */
  exemptCategories: DefermentCategory[];
  leapDayBirthday?: 'feb-28' | 'mar-1';
  /** When this version was issued (ISO instant). */
  versionAt: string;
  /** A revoked rule no longer applies from this instant; revocation is relief and travels first. */
  revokedAt?: string;
}

export type Tri = 'yes' | 'no' | 'unknown';

export interface ScopeFacts {
  /** Calendar date of the crossing, `YYYY-MM-DD`, in the checkpoint's time zone. */
  crossingDate: string;
  dateOfBirth?: string;
  sex?: string;
  nationality?: string;
  documentCountry?: string;
}

export interface ScopeAnswer {
  inScope: Tri;
  /** One line per scope condition, as an officer would read it. */
  checks: { condition: string; result: Tri; detail: string }[];
}

/** One formatter per zone: building an Intl.DateTimeFormat costs more than a whole screening's matching. */
const formatters = new Map<string, { format: Intl.DateTimeFormat; minute: number; date: string }>();

/**
 * The calendar date `YYYY-MM-DD` of an instant in an IANA time zone. Formatting is the costly part
 * (a manifest asks it twice per traveller for the same minute), so each zone keeps its last minute's
 * answer: zone offsets in use change only on whole minutes, so every instant of a minute has one date.
 */
export function localDate(at: Date, timeZone: string): string {
  const minute = Math.floor(at.getTime() / 60_000);
  let zone = formatters.get(timeZone);
  if (!zone) {
    // en-CA formats as YYYY-MM-DD; Intl carries the zone database, so no hand-written offsets.
    zone = { format: new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }), minute: NaN, date: '' };
    formatters.set(timeZone, zone);
  }
  if (zone.minute !== minute) {
    zone.date = zone.format.format(at);
    zone.minute = minute;
  }
  return zone.date;
}

/** Throws a RangeError naming the zone if Node's Intl does not know it. */
export function checkTimeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone });
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Moscow)`);
  }
  return timeZone;
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** The age in whole years on `on` (YYYY-MM-DD) of someone born on a full date. */
export function ageOn(born: { year: number; month: number; day: number }, on: string, leapDay: 'feb-28' | 'mar-1' = 'feb-28'): number {
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  let month = born.month;
  let day = born.day;
  if (month === 2 && day === 29 && !isLeap(y)) {
    if (leapDay === 'feb-28') day = 28;
    else [month, day] = [3, 1];
  }
  const hadBirthday = m > month || (m === month && d >= day);
  return y - born.year - (hadBirthday ? 0 : 1);
}

/** The youngest and oldest a person with a (possibly partial) date of birth can be on `on`. */
export function ageRange(dateOfBirth: string, on: string, leapDay: 'feb-28' | 'mar-1' = 'feb-28'): { min: number; max: number } | null {
  const p = parsePartialDate(dateOfBirth);
  if (typeof p === 'string') return null;
  if (p.day !== undefined && p.month !== undefined) {
    const a = ageOn({ year: p.year, month: p.month, day: p.day }, on, leapDay);
    return { min: a, max: a };
  }
  // The latest possible birthday gives the youngest age, the earliest the oldest.
  const first = { year: p.year, month: p.month ?? 1, day: 1 };
  const lastMonth = p.month ?? 12;
  const last = { year: p.year, month: lastMonth, day: new Date(Date.UTC(p.year, lastMonth, 0)).getUTCDate() };
  return { min: ageOn(last, on, leapDay), max: ageOn(first, on, leapDay) };
}

/** Whether the rule is in force on the crossing date at the instant `at`. */
export function ruleInForce(rule: Pick<CategoryRule, 'validFrom' | 'validTo' | 'revokedAt'>, crossingDate: string, at: Date): boolean {
  if (rule.revokedAt && Date.parse(rule.revokedAt) <= at.getTime()) return false;
  return rule.validFrom <= crossingDate && (rule.validTo === undefined || crossingDate <= rule.validTo);
}

function listCheck(condition: string, allowed: string[], value: string | undefined): ScopeAnswer['checks'][number] {
  const v = value?.replace(/</g, '').toUpperCase();
  if (!v) return { condition, result: 'unknown', detail: `${condition} not given` };
  const result: Tri = allowed.includes(v) ? 'yes' : 'no';
  return { condition, result, detail: `${condition} ${v} ${result === 'yes' ? 'is' : 'is not'} one of ${allowed.join(', ')}` };
}

/** Is a traveller with these facts in the rule's scope on the day of crossing? */
export function inScope(rule: Pick<CategoryRule, 'scope' | 'leapDayBirthday'>, facts: ScopeFacts): ScopeAnswer {
  const { scope } = rule;
  const checks: ScopeAnswer['checks'] = [listCheck('nationality', scope.nationalities, facts.nationality)];
  if (scope.documentCountries?.length) checks.push(listCheck('document country', scope.documentCountries, facts.documentCountry));
  if (scope.sex) {
    const sex = facts.sex?.toUpperCase();
    checks.push(
      sex === 'M' || sex === 'F'
        ? { condition: 'sex', result: sex === scope.sex ? 'yes' : 'no', detail: `sex ${sex}, rule covers ${scope.sex}` }
        : { condition: 'sex', result: 'unknown', detail: `sex ${sex ? `"${sex}" is not M or F` : 'not given'}; rule covers ${scope.sex}` },
    );
  }
  const range = facts.dateOfBirth ? ageRange(facts.dateOfBirth, facts.crossingDate, rule.leapDayBirthday) : null;
  const span = `${scope.ageFrom}–${scope.ageTo}`;
  if (!range) checks.push({ condition: 'age', result: 'unknown', detail: `date of birth not given; rule covers ages ${span}` });
  else {
    const inside = (a: number) => a >= scope.ageFrom && a <= scope.ageTo;
    const result: Tri = inside(range.min) && inside(range.max) ? 'yes' : !inside(range.min) && !inside(range.max) && (range.max < scope.ageFrom || range.min > scope.ageTo) ? 'no' : 'unknown';
    const age = range.min === range.max ? `age ${range.min}` : `age ${range.min}–${range.max} (date of birth ${facts.dateOfBirth} is partial)`;
    checks.push({ condition: 'age', result, detail: `${age} on ${facts.crossingDate}; rule covers ${span}` });
  }
  // Any clear "no" takes the traveller out of scope; otherwise any unknown leaves the question open.
  const inScopeAnswer: Tri = checks.some((c) => c.result === 'no') ? 'no' : checks.some((c) => c.result === 'unknown') ? 'unknown' : 'yes';
  return { inScope: inScopeAnswer, checks };
}
