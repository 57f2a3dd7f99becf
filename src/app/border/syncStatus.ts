/**
 * The writer's part of GET /v1/border/status — the follower's state and counters, the integrity
 * record, the head claims, the relay — as one SyncView (border/syncView.ts). The writer answers its
 * own status from it live; in a replica with several workers it also publishes it through the store
 * (publishSyncView below), and every other worker answers from the published copy, so the status reads
 * the same whichever worker takes the request.
 */
import type { ReplicaHealth } from '../../border/replicaHealth.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { Follower } from '../../border/sync/follower.js';
import type { ReplicaTrust } from '../../border/sync/trust.js';
import type { SyncView } from '../../border/syncView.js';
import type { Logger } from '../../shared/log.js';
import type { FeedPath } from './feedPath.js';
import type { OnwardFeed } from './onwardFeed.js';
import type { ReplicaVerifier } from './replicaVerifier.js';

export interface SyncSources {
  follower: Follower;
  feed: FeedPath;
  onward: OnwardFeed | null;
  trust: ReplicaTrust;
  health: ReplicaHealth;
  verifier: ReplicaVerifier;
}

/** The writer's view now, from memory: it is the process that holds it. */
export function syncViewOf(d: SyncSources): SyncView {
  const { follower } = d;
  return {
    publishedAt: Date.now(),
    latestClaim: follower.latestClaim ? { ...follower.latestClaim } : null,
    notReadyBecause: d.health.notReadyBecause(),
    damage: d.health.damageNow(),
    status: {
      sync: follower.state,
      source: d.feed.client.source,
      transport: d.feed.transport(),
      ...(d.onward ? { onwardFeed: d.onward.status() } : {}),
      lastContactAt: follower.lastContactAt?.toISOString() ?? null,
      lastError: follower.lastError,
      counters: follower.counters,
      integrity: { rejected: follower.rejected, lastRejection: follower.lastRejection, trust: d.trust.origin, lastVerify: d.verifier.last, database: d.health.status() },
      headClaim: follower.latestClaim ? { ...follower.latestClaim, receivedAt: new Date(follower.latestClaim.receivedAt).toISOString(), ...follower.claims } : follower.claims,
    },
  };
}

/** What a worker answers before the writer has published anything (it is starting). */
export const NO_SYNC_VIEW_STATUS: Record<string, unknown> = {
  sync: 'starting',
  lastContactAt: null,
  lastError: null,
  counters: {},
  integrity: { rejected: {}, lastRejection: null, trust: 'unknown', lastVerify: null },
};

/** How often the writer publishes its view when nothing prompts it sooner (ms). */
export const SYNC_VIEW_EVERY_MS = 250;

/**
 * Publishes the writer's view whenever it changes: at once after what moves freshness (a head claim,
 * an application, a bootstrap), and otherwise checked every SYNC_VIEW_EVERY_MS. A failed write (the
 * state set aside meanwhile) is retried at the next change.
 */
export function publishSyncView(store: ReplicaStore, sources: SyncSources, log: Logger): { stop(): void } {
  let last = '';
  let queued = false;
  const publish = () => {
    queued = false;
    const view = syncViewOf(sources);
    const key = JSON.stringify({ ...view, publishedAt: 0 });
    if (key === last) return;
    last = key;
    store.publishSyncView(view).catch((err: unknown) => {
      last = '';
      log.warn({ err: (err as Error).message }, 'could not publish the sync view for the other workers');
    });
  };
  const soon = () => {
    if (queued) return;
    queued = true;
    setImmediate(publish);
  };
  for (const event of ['headClaim', 'applied', 'bootstrapped', 'relief', 'rejected', 'claimRefused']) sources.follower.on(event, soon);
  const timer = setInterval(publish, SYNC_VIEW_EVERY_MS);
  timer.unref();
  publish();
  return {
    stop() {
      clearInterval(timer);
      for (const event of ['headClaim', 'applied', 'bootstrapped', 'relief', 'rejected', 'claimRefused']) sources.follower.off(event, soon);
    },
  };
}
