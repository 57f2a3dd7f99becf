/**
 * How current the replica's data is, read when asked: the pure rule (border/freshness.ts) applied to the
 * replica's state and the follower's newest signed claim. Only the register's signed claims count — an
 * open request to the feed proves nothing (a hung register or a proxy that withholds pages keeps one
 * open for ever). Also the long-poll period that keeps a healthy replica within its staleness bound.
 */
import { freshnessOf } from '../../border/freshness.js';
import type { Freshness } from '../../border/freshness.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { LatestClaim } from '../../border/freshness.js';

/** The shortest long-poll period a replica asks for (ms). */
export const MIN_LONG_POLL_MS = 100;
export const DEFAULT_LONG_POLL_MS = 10_000;

/**
 * Signed claims arrive once per long-poll at the latest; to stay within the staleness bound while
 * healthy, a replica asks at least twice per bound (and never more often than every 100 ms).
 */
export function longPollWithin(requestedMs: number | undefined, maxStalenessSeconds: number): number {
  return Math.max(MIN_LONG_POLL_MS, Math.min(requestedMs ?? DEFAULT_LONG_POLL_MS, (maxStalenessSeconds * 1000) / 2));
}

/** Reads the store's state and the follower's claim on each call; `now` is injectable for tests. */
export function replicaFreshness(
  store: Pick<ReplicaStore, 'state'>,
  follower: { readonly latestClaim: LatestClaim | null },
  liveWindowMs: number,
  now: () => number = Date.now,
): () => Promise<Freshness> {
  return async () => {
    const s = await store.state();
    return freshnessOf({ now: now(), cursor: s.cursor, registerSeq: s.registerSeq, dataAsOf: s.dataAsOf, latestClaim: follower.latestClaim, liveWindowMs });
  };
}

/**
 * A worker's freshness beside the writer (workers.ts): the same rule over the state it reads and the
 * newest claim the writer published through the store (syncView.ts) — never a claim of its own.
 */
export function replicaFreshnessFromStore(
  store: Pick<ReplicaStore, 'state' | 'syncView'>,
  liveWindowMs: number,
  now: () => number = Date.now,
): () => Promise<Freshness> {
  return async () => {
    const [s, view] = await Promise.all([store.state(), store.syncView()]);
    return freshnessOf({ now: now(), cursor: s.cursor, registerSeq: s.registerSeq, dataAsOf: s.dataAsOf, latestClaim: view?.latestClaim ?? null, liveWindowMs });
  };
}
