/**
 * border/freshness.ts: a replica's freshness comes only from signed claims it has applied. Each row
 * is one situation a replica can be in; the old rule ("an open long-poll is current") fails the rows
 * marked "withheld" and "frozen".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshnessOf, type FreshnessInput, LIVE_MARGIN_MS, liveWindowMs, tooStaleToClear } from '../../src/border/freshness.js';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const WINDOW = 15_000;

const base: FreshnessInput = { now: NOW, cursor: 10, registerSeq: 10, dataAsOf: ago(2_000), latestClaim: { registerTime: ago(2_000), receivedAt: NOW - 1_000, applied: true }, liveWindowMs: WINDOW };

const rows: { name: string; input: Partial<FreshnessInput>; dataAsOf: string | null; lagSeconds: number | null }[] = [
  { name: 'caught up with a claim made and received within the window: current', input: {}, dataAsOf: new Date(NOW).toISOString(), lagSeconds: 0 },
  { name: 'not bootstrapped: no data time, no lag', input: { cursor: null, dataAsOf: null, latestClaim: null }, dataAsOf: null, lagSeconds: null },
  { name: 'a cursor without any signed data time (cannot happen after a bootstrap): unknown, so stale', input: { dataAsOf: null }, dataAsOf: null, lagSeconds: null },
  { name: 'no claim ever received (an old register): as old as the bootstrap manifest', input: { dataAsOf: ago(60_000), latestClaim: null }, dataAsOf: ago(60_000), lagSeconds: 60 },
  {
    name: 'withheld: the newest claim is beyond the cursor, however recently it came',
    input: { cursor: 8, dataAsOf: ago(40_000), latestClaim: { registerTime: ago(500), receivedAt: NOW - 100, applied: false } },
    dataAsOf: ago(40_000),
    lagSeconds: 40,
  },
  {
    name: 'withheld by replay: an old claim received again just now counts for its own time only',
    input: { dataAsOf: ago(120_000), latestClaim: { registerTime: ago(120_000), receivedAt: NOW - 10, applied: true } },
    dataAsOf: ago(120_000),
    lagSeconds: 120,
  },
  {
    name: 'frozen register: no claim received for longer than the window',
    input: { dataAsOf: ago(14_000), latestClaim: { registerTime: ago(14_000), receivedAt: NOW - 16_000, applied: true } },
    dataAsOf: ago(14_000),
    lagSeconds: 14,
  },
  {
    name: 'a claim made just past the window (by the register clock) is no longer current',
    input: { dataAsOf: ago(WINDOW + 1), latestClaim: { registerTime: ago(WINDOW + 1), receivedAt: NOW - 100, applied: true } },
    dataAsOf: ago(WINDOW + 1),
    lagSeconds: 15,
  },
  {
    name: 'a claim made exactly at the window edge still counts',
    input: { dataAsOf: ago(WINDOW), latestClaim: { registerTime: ago(WINDOW), receivedAt: NOW - WINDOW, applied: true } },
    dataAsOf: new Date(NOW).toISOString(),
    lagSeconds: 0,
  },
  {
    name: 'a register clock ahead of the replica: never a negative lag',
    input: { dataAsOf: new Date(NOW + 3_000).toISOString(), latestClaim: { registerTime: new Date(NOW + 3_000).toISOString(), receivedAt: NOW - 20_000, applied: true } },
    dataAsOf: new Date(NOW + 3_000).toISOString(),
    lagSeconds: 0,
  },
  { name: 'window 0 (switched off): always the honest age', input: { liveWindowMs: 0 }, dataAsOf: ago(2_000), lagSeconds: 2 },
  { name: 'lag is rounded to tenths of a second', input: { latestClaim: null, dataAsOf: ago(1_234) }, dataAsOf: ago(1_234), lagSeconds: 1.2 },
];

for (const row of rows) {
  test(`freshness: ${row.name}`, () => {
    const input = { ...base, ...row.input };
    const f = freshnessOf(input);
    assert.equal(f.dataAsOf, row.dataAsOf);
    assert.equal(f.lagSeconds, row.lagSeconds);
    assert.equal(f.replicaSeq, input.cursor ?? 0);
    assert.equal(f.registerSeq, input.registerSeq);
  });
}

test('the caught-up window is the long-poll period plus a margin, never more than the staleness bound', () => {
  assert.equal(liveWindowMs(10_000, 900), 10_000 + LIVE_MARGIN_MS);
  assert.equal(liveWindowMs(1_000, 2), 2_000);
  assert.equal(liveWindowMs(30_000, 20), 20_000);
});

test('S5 boundary: data may answer clear up to the staleness bound inclusive, never when its lag is unknown', () => {
  const rows: [lagSeconds: number | null, bound: number, tooStale: boolean][] = [
    [0, 900, false],
    [900, 900, false],
    [900.1, 900, true],
    [null, 900, true],
    [3, 2, true],
  ];
  for (const [lag, bound, expected] of rows) assert.equal(tooStaleToClear(lag, bound), expected, `lag ${lag} s, bound ${bound} s`);
});
