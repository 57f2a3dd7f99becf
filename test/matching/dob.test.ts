import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyDob, compareDob, DOB_EFFECT, swappedDigits, typoDigits } from '../../src/matching/dob.js';
import { dateCode, monthSlips, yearSlips } from '../../src/matching/candidateKeys.js';

test('compareDob: each agreement and its detail', () => {
  assert.equal(compareDob('1999-03-04', '1999-03-04').agreement, 'exact');
  assert.equal(compareDob('1999-04-03', '1999-03-04').agreement, 'swapped');
  const digit = compareDob('1999-03-05', '1999-03-04');
  assert.equal(digit.agreement, 'typo');
  assert.equal(digit.inYear, false);
  const year = compareDob('1989-03-04', '1999-03-04');
  assert.equal(year.agreement, 'typo');
  assert.equal(year.inYear, true);
  assert.match(year.detail, /in the year/);
  assert.equal(compareDob('1999-03-40'.slice(0, 8) + '13', '1999-03-31').agreement, 'typo', 'transposed day digits');
  assert.equal(compareDob('1994-11-16', '2001-11-16').agreement, 'different');
  assert.equal(compareDob(undefined, '1999-03-04').agreement, 'missing');
  assert.match(compareDob('1999-03-04', '1999').detail, /register holds only the year/);
  assert.match(compareDob('1999-03', '1999-03-04').detail, /traveller gave only the year and month/);
  assert.equal(compareDob('1999-04', '1999-03-04').agreement, 'typo');
  assert.equal(compareDob('not a date', '1999-03-04').agreement, 'different');
});

test('applyDob: the effects of docs/matching.md; a date that only nearly agrees is never a hit', () => {
  const belowHit = 0.899;
  assert.equal(applyDob(1, compareDob('1999-03-04', '1999-03-04'), '1999-03-04', '1999-03-04', belowHit), 1);
  assert.equal(applyDob(1, compareDob('1999-04-03', '1999-03-04'), '1999-03-04', '1999-04-03', belowHit), 0.899);
  assert.equal(applyDob(0.95, compareDob('1999-04-03', '1999-03-04'), '1999-03-04', '1999-04-03', belowHit), 0.95 - DOB_EFFECT.swapped);
  assert.equal(applyDob(1, compareDob('1989-03-04', '1999-03-04'), '1999-03-04', '1989-03-04', belowHit), 1 - DOB_EFFECT.typoInYear);
  assert.equal(applyDob(1, compareDob('1999-03-04', '1999'), '1999', '1999-03-04', belowHit), 1 - DOB_EFFECT.partialYear);
  assert.equal(applyDob(1, compareDob('1999-03-04', '1999-03'), '1999-03', '1999-03-04', belowHit), 1 - DOB_EFFECT.partialYearMonth);
  assert.equal(applyDob(1, compareDob(undefined, '1999-03'), '1999-03', undefined, belowHit), 1 - DOB_EFFECT.missing);
  assert.equal(applyDob(1, compareDob('1970-01-01', '1999-03-04'), '1999-03-04', '1970-01-01', belowHit), DOB_EFFECT.differentFactor);
});

const fullDate = fc
  .record({ y: fc.integer({ min: 1900, max: 2020 }), m: fc.integer({ min: 1, max: 12 }), d: fc.integer({ min: 1, max: 28 }) })
  .map(({ y, m, d }) => `${y}${String(m).padStart(2, '0')}${String(d).padStart(2, '0')}`);
const iso = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;

test('property: swapping day and month twice gives the date back; every slip compares as a typo', () => {
  fc.assert(
    fc.property(fullDate, (d) => {
      const s = swappedDigits(d);
      if (s) {
        assert.equal(swappedDigits(s), d);
        assert.equal(compareDob(iso(s), iso(d)).agreement, 'swapped');
      }
      for (const t of typoDigits(d, 2030)) {
        const a = compareDob(iso(t), iso(d)).agreement;
        assert.ok(a === 'typo' || a === 'swapped', `${t} vs ${d}: ${a}`);
      }
    }),
  );
});

test('property: date codes are distinct for distinct dates, and keep partial dates apart', () => {
  fc.assert(
    fc.property(fullDate, fullDate, (a, b) => {
      assert.equal(dateCode(a) === dateCode(b), a === b);
      assert.notEqual(dateCode(a.slice(0, 4)), dateCode(a.slice(0, 6)));
      assert.notEqual(dateCode(a.slice(0, 6)), dateCode(a));
    }),
  );
  assert.equal(dateCode('1799'), '');
});

test('yearSlips: the last digit, the decade next door, the last two swapped; never in the future', () => {
  const slips = yearSlips(1985, 2025);
  assert.ok(slips.includes(1986) && slips.includes(1980) && slips.includes(1995) && slips.includes(1975) && slips.includes(1958));
  assert.ok(!slips.includes(1985));
  assert.ok(slips.every((y) => y <= 2025));
});

test('monthSlips: either digit of the month changed, or the two swapped; only months that exist', () => {
  assert.deepEqual(monthSlips(3), [1, 2, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(monthSlips(12), [2, 10, 11]);
  assert.deepEqual(monthSlips(10), [1, 11, 12]);
  assert.deepEqual(monthSlips(1), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});
