import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerContest, type Contest, isOverdue } from '../../src/domain/contest.js';
import { contestDeadline, DEFAULT_DUE_PROCESS_RULES, dueProcessRulesSchema, extendedReviewAt, isExpiryDue, isReviewDueSoon, maxInForceUntil, reviewDeadline } from '../../src/domain/dueProcessRules.js';
import type { Restriction } from '../../src/domain/types.js';

const rules = dueProcessRulesSchema.parse({
  contestDeadlineDays: { 'court-order': 14 },
  reviewIntervalDays: { 'call-up': 30 },
  maxInForceDays: { 'court-order': 100 },
  defaultReviewIntervalDays: 365,
  reviewNoticeDays: 10,
});

const r = (extra: Partial<Restriction> = {}): Restriction => ({ restrictionId: 'R-1', personId: 'P-1', kind: 'call-up', basis: 'b', office: 'MO-1', issuedAt: '2026-01-01T00:00:00.000Z', ...extra });

test('contest deadlines per kind, default 7 days, counted in whole UTC days across a leap day', () => {
  const cases: [DueProcessRulesLike, Restriction['kind'], string, string][] = [
    [DEFAULT_DUE_PROCESS_RULES, 'call-up', '2026-03-01T10:00:00.000Z', '2026-03-08T10:00:00.000Z'],
    [rules, 'court-order', '2026-03-01T10:00:00.000Z', '2026-03-15T10:00:00.000Z'],
    [rules, 'other', '2028-02-25T00:00:00.000Z', '2028-03-03T00:00:00.000Z'],
  ];
  for (const [rs, kind, filed, due] of cases) assert.equal(contestDeadline(rs, kind, filed), due, `${kind} filed ${filed}`);
});
type DueProcessRulesLike = typeof DEFAULT_DUE_PROCESS_RULES;

test('review deadline: the recorded review date, else start + interval, never past the maximum; none by default', () => {
  const cases: [string, DueProcessRulesLike, Restriction, string | undefined][] = [
    ['default rules: no periodic review', DEFAULT_DUE_PROCESS_RULES, r(), undefined],
    ['default rules: a recorded review date still counts', DEFAULT_DUE_PROCESS_RULES, r({ reviewAt: '2026-06-01T00:00:00.000Z' }), '2026-06-01T00:00:00.000Z'],
    ['call-up: issue + 30 days while unserved', rules, r(), '2026-01-31T00:00:00.000Z'],
    ['call-up: counted from coming into force', rules, r({ inForceFrom: '2026-01-10T00:00:00.000Z' }), '2026-02-09T00:00:00.000Z'],
    ['a review date replaces the interval', rules, r({ reviewAt: '2026-05-01T00:00:00.000Z' }), '2026-05-01T00:00:00.000Z'],
    ['court-order: the maximum comes before the default interval', rules, r({ kind: 'court-order' }), '2026-04-11T00:00:00.000Z'],
    ['court-order: a review date past the maximum is cut to it', rules, r({ kind: 'court-order', reviewAt: '2027-01-01T00:00:00.000Z' }), '2026-04-11T00:00:00.000Z'],
    ['other: the default interval', rules, r({ kind: 'other' }), '2027-01-01T00:00:00.000Z'],
  ];
  for (const [name, rs, restriction, want] of cases) assert.equal(reviewDeadline(rs, restriction), want, name);
  assert.equal(maxInForceUntil(rules, r()), undefined);
});

test('expiry is due at the deadline, not before, and never for a lifted restriction; the notice period looks ahead', () => {
  const deadline = Date.parse('2026-01-31T00:00:00.000Z');
  assert.equal(isExpiryDue(rules, r(), new Date(deadline - 1)), false);
  assert.equal(isExpiryDue(rules, r(), new Date(deadline)), true);
  assert.equal(isExpiryDue(rules, r({ liftedAt: '2026-01-15T00:00:00.000Z', liftReason: 'other' }), new Date(deadline + 1)), false);
  assert.equal(isExpiryDue(DEFAULT_DUE_PROCESS_RULES, r(), new Date('2099-01-01')), false);
  assert.equal(isReviewDueSoon(rules, r(), new Date(deadline - 10 * 86_400_000)), true, 'exactly 10 days ahead');
  assert.equal(isReviewDueSoon(rules, r(), new Date(deadline - 10 * 86_400_000 - 1)), false);
});

test('a review extends by one interval, or to the date asked, capped at the maximum; refusals say why', () => {
  const at = '2026-01-20T00:00:00.000Z';
  assert.equal(extendedReviewAt(rules, r(), at), '2026-02-19T00:00:00.000Z');
  assert.equal(extendedReviewAt(rules, r(), at, '2026-03-01T12:00:00Z'), '2026-03-01T12:00:00.000Z');
  assert.equal(extendedReviewAt(rules, r({ kind: 'court-order' }), at, '2030-01-01T00:00:00Z'), '2026-04-11T00:00:00.000Z', 'capped at the maximum');
  assert.match((extendedReviewAt(rules, r(), at, '2026-01-19T00:00:00Z') as { refusal: string }).refusal, /not after the review/);
  assert.match((extendedReviewAt(rules, r({ kind: 'court-order' }), '2026-05-01T00:00:00.000Z') as { refusal: string }).refusal, /maximum time in force/);
  assert.match((extendedReviewAt(DEFAULT_DUE_PROCESS_RULES, r(), at) as { refusal: string }).refusal, /give extendUntil/);
});

test('the rules file shape is strict: unknown keys and bad numbers are refused with the field', () => {
  for (const [bad, path] of [[{ contestDeadlineDays: { 'call-up': 0 } }, 'contestDeadlineDays.call-up'], [{ reviewIntervalDays: { ban: 3 } }, 'reviewIntervalDays'], [{ deadline: 3 }, '']] as const) {
    const parsed = dueProcessRulesSchema.safeParse(bad);
    assert.equal(parsed.success, false, JSON.stringify(bad));
    assert.equal(parsed.error!.issues[0]!.path.join('.'), path);
  }
});

test('a contest is answered once; overdue means open past its deadline', () => {
  const c: Contest = { caseNumber: 'C-2026-AAAAAAAAAAAAAAAA', restrictionId: 'R-1', personId: 'P-1', office: 'MO-1', contact: 'a@b.cd', reason: 'r', filedAt: '2026-01-01T00:00:00.000Z', deadline: '2026-01-08T00:00:00.000Z', state: 'open' };
  assert.equal(isOverdue(c, new Date('2026-01-07T23:59:59Z')), false);
  assert.equal(isOverdue(c, new Date('2026-01-08T00:00:00Z')), true);
  const answered = answerContest(c, { decision: 'rejected', reasons: 'basis confirmed', answeredBy: 'office:x@MO-1' }, '2026-01-09T00:00:00.000Z') as Contest;
  assert.equal(answered.state, 'rejected');
  assert.equal(isOverdue(answered, new Date('2026-02-01')), false, 'answered late is no longer overdue');
  assert.match((answerContest(answered, { decision: 'upheld', reasons: 'x', answeredBy: 'y' }, '2026-01-10T00:00:00.000Z') as { refusal: string }).refusal, /already answered \(rejected/);
});
