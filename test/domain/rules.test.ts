/** Category-wide rules: ages on the crossing date (boundaries, 29 February, partial dates), scope, time zones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ageOn, ageRange, type CategoryRule, inScope, localDate, ruleInForce } from '../../src/domain/rules.js';

const rule: Pick<CategoryRule, 'scope' | 'leapDayBirthday'> = { scope: { nationalities: ['RUS'], sex: 'M', ageFrom: 18, ageTo: 60 } };
const facts = (dateOfBirth: string | undefined, crossingDate: string, more: Record<string, string> = {}) => ({
  crossingDate,
  nationality: 'RUS',
  sex: 'M',
  ...(dateOfBirth ? { dateOfBirth } : {}),
  ...more,
});

test('the 18th and 61st birthdays: the day before and the day of', () => {
  const born = '2008-05-20';
  assert.equal(inScope(rule, facts(born, '2026-05-19')).inScope, 'no', 'the day before the 18th birthday: 17');
  assert.equal(inScope(rule, facts(born, '2026-05-20')).inScope, 'yes', 'the 18th birthday');
  const older = '1965-11-23';
  assert.equal(inScope(rule, facts(older, '2026-11-22')).inScope, 'yes', 'the day before the 61st birthday: still 60');
  assert.equal(inScope(rule, facts(older, '2026-11-23')).inScope, 'no', 'the 61st birthday');
});

test('29 February birthdays: 28 February in common years by default (Civil Code art. 192), 1 March on request', () => {
  const born = { year: 2004, month: 2, day: 29 };
  assert.equal(ageOn(born, '2022-02-27'), 17);
  assert.equal(ageOn(born, '2022-02-28'), 18, 'common year: the last day of February');
  assert.equal(ageOn(born, '2022-02-28', 'mar-1'), 17);
  assert.equal(ageOn(born, '2022-03-01', 'mar-1'), 18);
  assert.equal(ageOn(born, '2024-02-28'), 19, 'a leap year: the birthday itself is 29 February');
  assert.equal(ageOn(born, '2024-02-29'), 20);
  assert.equal(inScope(rule, facts('2004-02-29', '2022-02-28')).inScope, 'yes');
  assert.equal(inScope({ ...rule, leapDayBirthday: 'mar-1' }, facts('2004-02-29', '2022-02-28')).inScope, 'no');
});

test('a partial date of birth across an age boundary is unclear, never guessed; inside or outside it is decided', () => {
  assert.deepEqual(ageRange('2008', '2026-06-01'), { min: 17, max: 18 });
  assert.equal(inScope(rule, facts('2008', '2026-06-01')).inScope, 'unknown', 'born in 2008: 17 or 18');
  assert.equal(inScope(rule, facts('2008-05', '2026-06-01')).inScope, 'yes', 'born in May 2008: 18 in June 2026');
  assert.equal(inScope(rule, facts('2008-06', '2026-06-15')).inScope, 'unknown', 'born in June 2008: the birthday may not have come');
  assert.equal(inScope(rule, facts('1990', '2026-06-01')).inScope, 'yes');
  assert.equal(inScope(rule, facts('2015', '2026-06-01')).inScope, 'no');
  assert.equal(inScope(rule, facts(undefined, '2026-06-01')).inScope, 'unknown', 'no date of birth');
});

test('sex and nationality: a clear mismatch takes out of scope, unknown leaves it open', () => {
  assert.equal(inScope(rule, facts('1990-01-01', '2026-06-01', { sex: 'F' })).inScope, 'no');
  assert.equal(inScope(rule, facts('1990-01-01', '2026-06-01', { sex: 'X' })).inScope, 'unknown');
  assert.equal(inScope(rule, { crossingDate: '2026-06-01', dateOfBirth: '1990-01-01', nationality: 'RUS' }).inScope, 'unknown', 'sex not given');
  assert.equal(inScope(rule, facts('1990-01-01', '2026-06-01', { nationality: 'KAZ' })).inScope, 'no');
  assert.equal(inScope(rule, facts('1990-01-01', '2026-06-01', { sex: 'X', nationality: 'KAZ' })).inScope, 'no', 'a clear no outweighs an unknown');
  const answer = inScope(rule, facts('1990-01-01', '2026-06-01', { sex: 'X' }));
  assert.match(answer.checks.find((c) => c.condition === 'sex')!.detail, /"X" is not M or F/);
});

test('the crossing date is the calendar date in the checkpoint time zone', () => {
  const at = new Date('2026-03-01T22:30:00Z');
  assert.equal(localDate(at, 'UTC'), '2026-03-01');
  assert.equal(localDate(at, 'Europe/Moscow'), '2026-03-02', 'UTC+3: already the next day');
  assert.equal(localDate(at, 'America/New_York'), '2026-03-01');
  // Each zone remembers its last minute's date: the next minute, another day or an earlier instant is worked out again.
  assert.equal(localDate(new Date('2026-03-01T20:59:59.999Z'), 'Europe/Moscow'), '2026-03-01');
  assert.equal(localDate(new Date('2026-03-01T21:00:00.000Z'), 'Europe/Moscow'), '2026-03-02', 'midnight in Moscow');
  assert.equal(localDate(new Date('2026-03-01T20:59:00.000Z'), 'Europe/Moscow'), '2026-03-01', 'back in time');
  assert.throws(() => localDate(new Date('not a date'), 'UTC'), RangeError);
});

test('validity: inclusive calendar dates; a revocation ends a rule from its instant', () => {
  const r = { validFrom: '2026-01-01', validTo: '2026-12-31' };
  const noon = new Date('2026-06-01T12:00:00Z');
  assert.equal(ruleInForce(r, '2025-12-31', noon), false);
  assert.equal(ruleInForce(r, '2026-01-01', noon), true);
  assert.equal(ruleInForce(r, '2026-12-31', noon), true);
  assert.equal(ruleInForce(r, '2027-01-01', noon), false);
  assert.equal(ruleInForce({ ...r, revokedAt: '2026-06-01T12:00:00.000Z' }, '2026-06-01', noon), false);
  assert.equal(ruleInForce({ ...r, revokedAt: '2026-06-01T12:00:01.000Z' }, '2026-06-01', noon), true);
});

test('property: a full date gives one age; a partial one a range holding the age of every day it may mean', () => {
  const day = fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
  fc.assert(
    fc.property(day, day, (born, on) => {
      const [y, m, d] = born.split('-').map(Number) as [number, number, number];
      const exact = ageOn({ year: y, month: m, day: d }, on);
      assert.deepEqual(ageRange(born, on), { min: exact, max: exact });
      const year = ageRange(born.slice(0, 4), on)!;
      const month = ageRange(born.slice(0, 7), on)!;
      assert.ok(year.min <= month.min && month.min <= exact && exact <= month.max && month.max <= year.max);
      assert.ok(year.max - year.min <= 1);
    }),
    { numRuns: 500 },
  );
});
