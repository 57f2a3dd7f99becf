import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dateRangeCovers, parseInstant, parsePartialDate } from '../../src/domain/dates.js';

test('partial dates: year, year-month, full; impossible dates are named', () => {
  assert.deepEqual(parsePartialDate('1999'), { year: 1999 });
  assert.deepEqual(parsePartialDate('1999-03'), { year: 1999, month: 3 });
  assert.deepEqual(parsePartialDate('2000-02-29'), { year: 2000, month: 2, day: 29 });
  assert.match(parsePartialDate('1999-02-29') as string, /does not exist/);
  assert.match(parsePartialDate('1900-02-29') as string, /does not exist/, '1900 was not a leap year');
  assert.match(parsePartialDate('1999-13') as string, /month 13/);
  assert.match(parsePartialDate('04.03.1999') as string, /not a date of the form/);
});

test('every real calendar day parses, and round-trips', () => {
  fc.assert(
    fc.property(fc.date({ min: new Date('1900-01-01'), max: new Date('2100-12-31'), noInvalidDate: true }), (d) => {
      const iso = d.toISOString().slice(0, 10);
      const p = parsePartialDate(iso);
      assert.notEqual(typeof p, 'string');
      const { year, month, day } = p as { year: number; month: number; day: number };
      assert.equal(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, iso);
    }),
  );
});

test('instants need a time zone and normalise to UTC', () => {
  assert.equal(parseInstant('2024-10-02T13:00:00+03:00'), '2024-10-02T10:00:00.000Z');
  assert.match((parseInstant('2024-10-02T10:00:00') as { error: string }).error, /time zone/);
  assert.match((parseInstant('2024-02-30T10:00:00Z') as { error: string }).error, /does not exist/);
});

test('deferment ranges are inclusive whole days', () => {
  assert.equal(dateRangeCovers('2024-09-01', '2025-06-30', new Date('2025-06-30T23:59:59Z')), true);
  assert.equal(dateRangeCovers('2024-09-01', '2025-06-30', new Date('2025-07-01T00:00:00Z')), false);
  assert.equal(dateRangeCovers('2024-09-01', '2025-06-30', new Date('2024-09-01T00:00:00Z')), true);
});
