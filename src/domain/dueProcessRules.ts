/**
 * The deadlines of due process, per restriction kind, as data (like the service rules of
 * serviceOfNotice.ts):
 *
 *   contest     the issuing office answers a contest within N days of its filing; default 7.
 *   review      a restriction is reviewed every N days from the day it came into force (or was issued,
 *               while it is not served); a review extends it. No interval: no periodic review.
 *   maximum     a restriction stays in force at most N days from that same start, whatever the reviews.
 *   notice      offices see a review coming this many days ahead; default 120 (SIS warns 4 months ahead).
 *
 * A restriction not reviewed by its deadline is lifted with reason `expiry` (register/reviewService.ts).
 * The deadline is the earliest of its recorded `reviewAt` (set by the last review, or at issue), the
 * start + the review interval when no review date is recorded, and the start + the maximum.
 *
 * The defaults set no review interval and no maximum, so a register that has not chosen them lifts
 * nothing by itself; `<data>/due-process.json` (register/dueProcessRulesFile.ts) sets them. All
 * instants are UTC; "N days" is N × 86,400 seconds.
 */
import { z } from 'zod';
import { RESTRICTION_KINDS, type Restriction, type RestrictionKind } from './types.js';

const days = z.number().int().min(1).max(36_500);
const perKind = z.partialRecord(z.enum(RESTRICTION_KINDS), days).default({});

export const dueProcessRulesSchema = z.strictObject({
  contestDeadlineDays: perKind,
  defaultContestDeadlineDays: days.default(7),
  reviewIntervalDays: perKind,
  defaultReviewIntervalDays: days.optional(),
  maxInForceDays: perKind,
  defaultMaxInForceDays: days.optional(),
  reviewNoticeDays: z.number().int().min(0).max(36_500).default(120),
});
export type DueProcessRules = z.output<typeof dueProcessRulesSchema>;

export const DEFAULT_DUE_PROCESS_RULES: DueProcessRules = dueProcessRulesSchema.parse({});

export const DAY_MS = 86_400_000;

const plusDays = (instant: string, n: number) => new Date(Date.parse(instant) + n * DAY_MS).toISOString();

export function contestDeadlineDays(rules: DueProcessRules, kind: RestrictionKind): number {
  return rules.contestDeadlineDays[kind] ?? rules.defaultContestDeadlineDays;
}

/** When the issuing office must have answered a contest filed at `filedAt`. */
export function contestDeadline(rules: DueProcessRules, kind: RestrictionKind, filedAt: string): string {
  return plusDays(filedAt, contestDeadlineDays(rules, kind));
}

export function reviewIntervalDays(rules: DueProcessRules, kind: RestrictionKind): number | undefined {
  return rules.reviewIntervalDays[kind] ?? rules.defaultReviewIntervalDays;
}

export function maxInForceDays(rules: DueProcessRules, kind: RestrictionKind): number | undefined {
  return rules.maxInForceDays[kind] ?? rules.defaultMaxInForceDays;
}

type Timed = Pick<Restriction, 'kind' | 'issuedAt' | 'inForceFrom' | 'reviewAt'>;

/** Review and maximum time are counted from here: when it came into force, or its issue while unserved. */
export const startOf = (r: Timed): string => r.inForceFrom ?? r.issuedAt;

/** The last instant a restriction may stay in force at all, or undefined when its kind has no maximum. */
export function maxInForceUntil(rules: DueProcessRules, r: Timed): string | undefined {
  const max = maxInForceDays(rules, r.kind);
  return max === undefined ? undefined : plusDays(startOf(r), max);
}

/** The instant by which the restriction must be reviewed, or be lifted with reason `expiry`; undefined: never. */
export function reviewDeadline(rules: DueProcessRules, r: Timed): string | undefined {
  const interval = reviewIntervalDays(rules, r.kind);
  const candidates = [r.reviewAt ?? (interval === undefined ? undefined : plusDays(startOf(r), interval)), maxInForceUntil(rules, r)].filter((x): x is string => x !== undefined);
  if (candidates.length === 0) return undefined;
  return candidates.reduce((a, b) => (Date.parse(a) <= Date.parse(b) ? a : b));
}

/** Open, and its review deadline has passed: the register lifts it with reason `expiry`. */
export function isExpiryDue(rules: DueProcessRules, r: Timed & Pick<Restriction, 'liftedAt'>, now: Date): boolean {
  if (r.liftedAt) return false;
  const deadline = reviewDeadline(rules, r);
  return deadline !== undefined && Date.parse(deadline) <= now.getTime();
}

/** Open, and its review deadline falls within the notice period: offices see it in their list. */
export function isReviewDueSoon(rules: DueProcessRules, r: Timed & Pick<Restriction, 'liftedAt'>, now: Date, noticeDays = rules.reviewNoticeDays): boolean {
  if (r.liftedAt) return false;
  const deadline = reviewDeadline(rules, r);
  return deadline !== undefined && Date.parse(deadline) <= now.getTime() + noticeDays * DAY_MS;
}

/**
 * The review deadline a review sets: the date the office asks for, or one interval from the review
 * (the maximum when the kind has no interval); never past the maximum. A string is a refusal, in words.
 */
export function extendedReviewAt(rules: DueProcessRules, r: Timed, reviewedAt: string, extendUntil?: string): string | { refusal: string } {
  const max = maxInForceUntil(rules, r);
  const interval = reviewIntervalDays(rules, r.kind);
  const wanted = extendUntil ?? (interval !== undefined ? plusDays(reviewedAt, interval) : max);
  if (wanted === undefined) return { refusal: `restrictions of kind ${r.kind} have no review interval here: give extendUntil` };
  if (Date.parse(wanted) <= Date.parse(reviewedAt)) return { refusal: `extendUntil ${wanted} is not after the review (${reviewedAt})` };
  if (max !== undefined && Date.parse(wanted) > Date.parse(max)) {
    if (Date.parse(max) <= Date.parse(reviewedAt)) return { refusal: `the restriction has reached its maximum time in force (${max}); it cannot be extended` };
    return max;
  }
  return new Date(Date.parse(wanted)).toISOString();
}
