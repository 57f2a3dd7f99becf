/**
 * The border replica's Prometheus metrics (shared/metrics.ts): what it applied and refused from the
 * feed (counted from the follower's events), how far behind it is (read from the store and the
 * freshness rule when scraped), whether its database is damaged, and what screenings and repairs it
 * did (counted through the two hooks returned).
 */
import type { Decision } from '../../border/decision.js';
import type { Freshness } from '../../border/freshness.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { VerifyReport } from '../../border/antiEntropy.js';
import type { ReplicaHealth } from '../../border/replicaHealth.js';
import type { Follower } from '../../border/sync/follower.js';
import type { ServiceMetrics } from '../../shared/metrics.js';

export interface ReplicaCounters {
  /** Starts timing a screening; call the result with the decision when it is answered. */
  screening(): (decision: Decision) => void;
  /** Counts the records a digest comparison repaired. */
  repaired(report: VerifyReport): void;
}

/**
 * `follower` null: a worker beside the writer (workers.ts) counts only what it answers (screenings,
 * repairs); the gauges of the replica's state and sync are the writer's alone, so that the figures the
 * primary sums over the workers (prom-client's AggregatorRegistry) count each once.
 */
export function replicaMetrics(metrics: ServiceMetrics, replica: { store: ReplicaStore; follower: Follower | null; freshness: () => Promise<Freshness>; health: ReplicaHealth }): ReplicaCounters {
  const { store, follower, freshness, health } = replica;
  const screenings = metrics.counter('erx_replica_screenings_total', 'Screenings answered, by decision', ['decision']);
  const screeningSeconds = metrics.histogram('erx_replica_screening_duration_seconds', 'Time to screen a traveller (match, decide, audit)', [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 1]);
  const repaired = metrics.counter('erx_replica_digest_repairs_total', 'Records fixed by anti-entropy, by kind', ['kind']);
  const counters: ReplicaCounters = {
    screening() {
      const end = screeningSeconds.startTimer();
      return (decision) => {
        end();
        screenings.inc({ decision });
      };
    },
    repaired(report) {
      if (!report.repaired) return;
      repaired.inc({ kind: 'inserted' }, report.repaired.inserted);
      repaired.inc({ kind: 'updated' }, report.repaired.updated);
      repaired.inc({ kind: 'deleted' }, report.repaired.deleted);
    },
  };
  if (!follower) return counters;
  const applied = metrics.counter('erx_replica_batches_applied_total', 'Signed batches applied');
  const appliedChanges = metrics.counter('erx_replica_changes_applied_total', 'Changes applied');
  const rejected = metrics.counter('erx_replica_batches_rejected_total', 'Pages refused from the feed, by reason', ['reason']);
  follower.on('progress', (batches: number, changes: number) => {
    applied.inc(batches);
    appliedChanges.inc(changes);
  });
  follower.on('rejected', (reason: string) => rejected.inc({ reason }));
  const claimsRefused = metrics.counter('erx_replica_head_claims_refused_total', "The register's head claims refused (they give no freshness), by reason", ['reason']);
  follower.on('claimRefused', (reason: string) => claimsRefused.inc({ reason }));
  metrics.gauge('erx_replica_seq', 'Sequence number of the last change applied', [], async function () {
    this.set((await store.state()).cursor ?? 0);
  });
  metrics.gauge('erx_replica_register_seq', "The register's newest sequence number as last heard", [], async function () {
    this.set((await store.state()).registerSeq);
  });
  metrics.gauge('erx_replica_lag_changes', 'Changes the replica has not applied yet', [], async function () {
    const s = await store.state();
    this.set(Math.max(0, s.registerSeq - (s.cursor ?? 0)));
  });
  metrics.gauge('erx_replica_lag_seconds', "Age of the replica data by the register's signed head claims (0 while it holds all that a claim made and received within the caught-up window covers)", [], async function () {
    this.set((await freshness()).lagSeconds ?? Number.NaN);
  });
  metrics.gauge('erx_replica_last_sync_timestamp_seconds', 'When the feed last answered (Unix time)', [], function () {
    this.set(follower.lastContactAt ? follower.lastContactAt.getTime() / 1000 : 0);
  });
  metrics.gauge('erx_replica_persons', 'Persons held by the replica', [], async function () {
    this.set((await store.state()).persons);
  });
  metrics.gauge('erx_replica_database_damaged', 'Whether the replica found its database damaged and is rebuilding it (1) or not (0)', [], function () {
    this.set(health.damage ? 1 : 0);
  });
  return counters;
}
