import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenerationalMap, Memo } from '../../src/matching/memo.js';

test('a generational map keeps what is still asked for across a turnover, and drops what was not asked for a generation', () => {
  const m = new GenerationalMap<number>(3);
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  // Full: the next entry starts a new generation; a, b, c are the old one.
  m.set('d', 4);
  assert.equal(m.get('a'), 1, 'an old entry is still found');
  m.set('e', 5);
  // The current generation holds d, a (moved on being asked), e: full again, so f starts another.
  m.set('f', 6);
  assert.equal(m.get('a'), 1, 'asked for in the last generation: kept');
  assert.equal(m.has('b'), false, 'not asked for a whole generation: dropped');
  assert.equal(m.get('b'), undefined);
  assert.equal(m.get('c'), undefined);
});

test('a generational map tells a stored undefined from a missing key', () => {
  const m = new GenerationalMap<number | undefined>(2);
  m.set('none', undefined);
  assert.equal(m.has('none'), true);
  assert.equal(m.has('other'), false);
  m.set('x', 1);
  m.set('y', 2);
  assert.equal(m.has('none'), true, 'in the old generation');
});

test('a memo computes once per key while the key is in use, and stays bounded', () => {
  const memo = new Memo<string>(10);
  let calls = 0;
  const upper = (w: string) => memo.get(w, () => (calls++, w.toUpperCase()));
  for (let round = 0; round < 5; round++) for (const w of ['ivan', 'petr', 'anna']) assert.equal(upper(w), w.toUpperCase());
  assert.equal(calls, 3);
  // A thousand other words pass through; the three asked again and again never leave.
  for (let i = 0; i < 1000; i++) {
    upper(`w${i}`);
    upper('ivan');
  }
  assert.equal(calls, 3 + 1000);
});
