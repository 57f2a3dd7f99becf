/**
 * app/border/replicaReadiness.ts: when /readyz says a replica is ready. One row per rule, in the order
 * the rules apply (damage first: a damaged store is not even asked for its freshness).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ReadinessInput, replicaReadiness } from '../../src/app/border/replicaReadiness.js';

const fresh = { replicaSeq: 10, registerSeq: 10, dataAsOf: '2026-12-01T12:00:00.000Z', lagSeconds: 0 };
const base: ReadinessInput = { damaged: null, freshness: fresh, unchecked: null, maxStalenessSeconds: 900 };

const rows: { name: string; input: Partial<ReadinessInput>; ready: boolean; reason?: string }[] = [
  { name: 'bootstrapped, checked, within the bound: ready, with its freshness', input: {}, ready: true },
  { name: 'damaged: not ready, the damage is the reason (freshness not asked)', input: { damaged: 'state.db: malformed', freshness: null }, ready: false, reason: 'state.db: malformed' },
  { name: 'damaged wins over every other reason', input: { damaged: 'broken', unchecked: 'not checked yet', freshness: { ...fresh, lagSeconds: 5000 } }, ready: false, reason: 'broken' },
  { name: 'no complete snapshot yet: bootstrapping', input: { freshness: { ...fresh, dataAsOf: null, lagSeconds: null } }, ready: false, reason: 'bootstrapping: no complete snapshot yet' },
  { name: 'bootstrapping is said before the check at start', input: { freshness: { ...fresh, dataAsOf: null, lagSeconds: null }, unchecked: 'not checked yet' }, ready: false, reason: 'bootstrapping: no complete snapshot yet' },
  { name: 'structure not checked yet at start: that reason', input: { unchecked: 'checking the database structure' }, ready: false, reason: 'checking the database structure' },
  { name: 'exactly at the bound: still ready', input: { freshness: { ...fresh, lagSeconds: 900 } }, ready: true },
  { name: 'beyond the bound: too old, with lag and bound', input: { freshness: { ...fresh, lagSeconds: 900.1 } }, ready: false, reason: 'replica data too old: 900.1 s behind (bound 900 s)' },
];

for (const row of rows) {
  test(`readiness: ${row.name}`, () => {
    const answer = replicaReadiness({ ...base, ...row.input });
    assert.equal(answer.ready, row.ready);
    if (answer.ready) assert.deepEqual(answer, { ready: true, ...(row.input.freshness ?? fresh) });
    else assert.equal(answer.reason, row.reason);
  });
}
