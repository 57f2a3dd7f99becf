/**
 * When a border replica is ready for checkpoints, as a pure rule: not while its database is damaged
 * (it is being rebuilt), not before a complete snapshot, not before its structural check at start, and
 * not while its data is older than the staleness bound. Served at /readyz (app/probes.ts).
 */
import type { Freshness } from '../../border/freshness.js';
import type { Readiness } from '../probes.js';

export interface ReadinessInput {
  /** Why the database is damaged (border/replicaHealth.ts), or null. */
  damaged: string | null;
  /** Null only when damaged: a damaged store is not asked. */
  freshness: Freshness | null;
  /** Why the replica is not ready yet though undamaged (the check at start has not run), or null. */
  unchecked: string | null;
  maxStalenessSeconds: number;
}

export function replicaReadiness(input: ReadinessInput): Readiness {
  const { damaged, freshness: f, unchecked, maxStalenessSeconds: bound } = input;
  if (damaged) return { ready: false, reason: damaged };
  if (f === null || f.dataAsOf === null) return { ready: false, reason: 'bootstrapping: no complete snapshot yet' };
  if (unchecked) return { ready: false, reason: unchecked };
  if (f.lagSeconds !== null && f.lagSeconds > bound) return { ready: false, reason: `replica data too old: ${f.lagSeconds} s behind (bound ${bound} s)` };
  return { ready: true, ...f };
}
