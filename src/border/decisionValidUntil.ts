/**
 * How long a screening's decision stands while only the clock moves: the earliest instant after the
 * screening, and before a horizon (a manifest's departure), at which the same evidence could decide
 * otherwise. A live manifest is screened again by the clock only then (border/manifests/rescreen.ts),
 * instead of every traveller every minute; a change of the replica's data is not the clock's business
 * (the feed triggers those passes), and neither is its staleness (S5 follows the replica, not the
 * traveller: the re-screener watches that verdict itself).
 *
 * A pure function over the evidence decide.ts reads. With the data unchanged, a decision can change only
 * when time crosses one of these (each taken only when it lies strictly between the screening and the
 * horizon):
 *  - a matched person's restriction's inForceFrom, liftedAt or expiresAt (S1; exact instants);
 *  - the start of a matched person's deferment's or exemption's validFrom day, and of the day after its
 *    validTo (S2 reads the day in UTC, the rules R1/R4 on the crossing's date in the checkpoint's zone:
 *    both are taken, so either reading is covered);
 *  - a category rule's revokedAt (an instant), the start of its validFrom day and of the day after its
 *    validTo (the crossing's date in the checkpoint's zone), and the days on which the traveller's age
 *    range (domain/rules.ts ageRange: a partial date of birth gives a youngest and an oldest age) reaches
 *    the rule's ageFrom or passes its ageTo;
 *  - the next 1 January, UTC: the matcher bounds the birth years it reads by the current year
 *    (matching/candidateKeys.ts yearSlips, matching/dob.ts typoDigits), so its matches may change then.
 *
 * Attestations (S8) and match scores hold no time. The answer errs early, never late: a boundary that
 * turns out to change nothing costs one re-screening, which then finds the next one.
 */
import { parsePartialDate } from '../domain/dates.js';
import { type CategoryRule, localDate } from '../domain/rules.js';
import type { ScreeningEvidence } from './decide.js';

export type TimedEvidence = Pick<ScreeningEvidence, 'traveller' | 'matches' | 'restrictions' | 'persons' | 'rules' | 'at' | 'timeZone'>;

const MINUTE_MS = 60_000;
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
/** Zone offsets in use lie within −12 h … +14 h; a day starts within this much of its UTC midnight. */
const ZONE_REACH_MS = 16 * HOUR_MS;

/** The earliest instant in (evidence.at, horizon) at which the decision on this evidence may change, or null. */
export function decisionValidUntil(evidence: TimedEvidence, horizon: Date): Date | null {
  const after = evidence.at.getTime();
  const before = horizon.getTime();
  let earliest = Infinity;
  const consider = (ms: number) => {
    // NaN (an unreadable instant) fails every comparison and is never taken.
    if (ms > after && ms < before && ms < earliest) earliest = ms;
  };
  const instant = (iso: string | undefined) => {
    if (iso !== undefined) consider(Date.parse(iso));
  };
  /** The start of `date` (YYYY-MM-DD) in each zone, computed only when it may fall inside the window. */
  const dayStart = (date: string, zones: readonly string[]) => {
    const utcMidnight = Date.parse(`${date}T00:00:00Z`);
    if (!(utcMidnight + ZONE_REACH_MS > after && utcMidnight - ZONE_REACH_MS < Math.min(before, earliest))) return;
    for (const zone of zones) consider(startOfDay(date, zone));
  };

  const { timeZone } = evidence;
  const matched = new Set(evidence.matches.map((m) => m.personId));
  for (const r of evidence.restrictions) {
    if (!matched.has(r.personId)) continue;
    instant(r.inForceFrom);
    instant(r.liftedAt);
    instant(r.expiresAt);
  }
  const bothReadings = timeZone === 'UTC' ? ['UTC'] : ['UTC', timeZone];
  for (const personId of matched) {
    for (const d of evidence.persons.get(personId)?.deferments ?? []) {
      dayStart(d.validFrom, bothReadings);
      const end = dayAfter(d.validTo);
      if (end) dayStart(end, bothReadings);
    }
  }
  const zone = [timeZone];
  for (const rule of evidence.rules) {
    instant(rule.revokedAt);
    dayStart(rule.validFrom, zone);
    const end = rule.validTo ? dayAfter(rule.validTo) : undefined;
    if (end) dayStart(end, zone);
    if (evidence.traveller.dateOfBirth) for (const day of ageBoundaries(evidence.traveller.dateOfBirth, rule)) dayStart(day, zone);
  }
  consider(Date.UTC(new Date(after).getUTCFullYear() + 1, 0, 1));
  return earliest === Infinity ? null : new Date(earliest);
}

function dayAfter(date: string): string | undefined {
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : new Date(ms + DAY_MS).toISOString().slice(0, 10);
}

const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const ymd = (y: number, m: number, d: number) => `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;

/** The day someone born on `born` turns `age`, as domain/rules.ts ageOn counts it (29 February included). */
function turns(born: { year: number; month: number; day: number }, age: number, leapDay: 'feb-28' | 'mar-1'): string {
  const year = born.year + age;
  if (born.month === 2 && born.day === 29 && !isLeap(year)) return leapDay === 'feb-28' ? ymd(year, 2, 28) : ymd(year, 3, 1);
  return ymd(year, born.month, born.day);
}

/**
 * The days on which the rule's age check for this date of birth can change: when the youngest or the
 * oldest possible age (the latest and the earliest possible birthday) reaches ageFrom or ageTo + 1.
 */
function ageBoundaries(dateOfBirth: string, rule: Pick<CategoryRule, 'scope' | 'leapDayBirthday'>): string[] {
  const p = parsePartialDate(dateOfBirth);
  if (typeof p === 'string') return [];
  const first = { year: p.year, month: p.month ?? 1, day: p.day ?? 1 };
  const lastMonth = p.month ?? 12;
  const last = { year: p.year, month: lastMonth, day: p.day ?? new Date(Date.UTC(p.year, lastMonth, 0)).getUTCDate() };
  const leap = rule.leapDayBirthday ?? 'feb-28';
  const days = new Set<string>();
  for (const born of [first, last]) for (const age of [rule.scope.ageFrom, rule.scope.ageTo + 1]) days.add(turns(born, age, leap));
  return [...days];
}

/** Days' starts already found, by zone and date (few distinct dates recur across travellers). */
const starts = new Map<string, number>();
const MAX_REMEMBERED = 10_000;

/**
 * The first instant at which the calendar date in `timeZone` (as localDate reads it) is `date` or
 * later: found by stepping a quarter of an hour at a time from before the day can have begun anywhere
 * (offsets in use are whole quarters of an hour), then a minute at a time within the last step.
 */
function startOfDay(date: string, timeZone: string): number {
  const utcMidnight = Date.parse(`${date}T00:00:00Z`);
  if (timeZone === 'UTC') return utcMidnight;
  const key = `${timeZone} ${date}`;
  const known = starts.get(key);
  if (known !== undefined) return known;
  const reached = (ms: number) => localDate(new Date(ms), timeZone) >= date;
  let t = utcMidnight - ZONE_REACH_MS;
  const last = utcMidnight + ZONE_REACH_MS;
  while (t < last && !reached(t)) t += QUARTER_HOUR_MS;
  let start = t;
  for (let m = t - QUARTER_HOUR_MS + MINUTE_MS; m < t; m += MINUTE_MS) {
    if (reached(m)) {
      start = m;
      break;
    }
  }
  if (starts.size >= MAX_REMEMBERED) starts.clear();
  starts.set(key, start);
  return start;
}
