/**
 * app/border/replicaFreshness.ts: the long-poll period that keeps a healthy replica within its
 * staleness bound, and the freshness read from the store's state and the follower's newest claim.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LONG_POLL_MS, longPollWithin, MIN_LONG_POLL_MS, replicaFreshness } from '../../src/app/border/replicaFreshness.js';
import type { ReplicaState } from '../../src/border/replicaStore.js';

test('long poll: the requested period when it is under half the staleness bound', () => {
  assert.equal(longPollWithin(5_000, 900), 5_000);
  assert.equal(longPollWithin(undefined, 900), DEFAULT_LONG_POLL_MS);
});

test('long poll: at most half the staleness bound, so two claims arrive within it', () => {
  assert.equal(longPollWithin(10_000, 4), 2_000);
  assert.equal(longPollWithin(undefined, 10), 5_000);
});

test('long poll: never under the floor, however small the request or the bound', () => {
  assert.equal(longPollWithin(1, 900), MIN_LONG_POLL_MS);
  assert.equal(longPollWithin(10_000, 0.05), MIN_LONG_POLL_MS);
});

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const state = (over: Partial<ReplicaState>) => ({ state: async () => ({ cursor: 10, registerSeq: 12, dataAsOf: new Date(NOW - 30_000).toISOString(), ...over }) as ReplicaState });

test('freshness: a replica without a live claim is as old as its signed data', async () => {
  const freshness = replicaFreshness(state({}), { latestClaim: null }, 15_000, () => NOW);
  assert.deepEqual(await freshness(), { replicaSeq: 10, registerSeq: 12, dataAsOf: new Date(NOW - 30_000).toISOString(), lagSeconds: 30 });
});

test('freshness: a claim applied and received within the window makes it current, read again on every call', async () => {
  const follower: { latestClaim: { registerTime: string; receivedAt: number; applied: boolean } | null } = { latestClaim: null };
  let now = NOW;
  const freshness = replicaFreshness(state({}), follower, 15_000, () => now);
  assert.equal((await freshness()).lagSeconds, 30);
  follower.latestClaim = { registerTime: new Date(NOW - 1_000).toISOString(), receivedAt: NOW - 500, applied: true };
  assert.equal((await freshness()).lagSeconds, 0);
  now = NOW + 60_000; // the claim has aged out of the window
  assert.equal((await freshness()).lagSeconds, 90);
});

test('freshness: before a bootstrap there is no data time and no lag', async () => {
  const freshness = replicaFreshness(state({ cursor: null, dataAsOf: null }), { latestClaim: null }, 15_000, () => NOW);
  assert.deepEqual(await freshness(), { replicaSeq: 0, registerSeq: 12, dataAsOf: null, lagSeconds: null });
});
