/**
 * What the one process that follows the feed (a replica's writer) tells the replica's other workers
 * through the store (app/border/workers.ts): the follower's status and the newest verified head claim
 * it received, the database checks' verdict, the last digest comparison and the onward feed's status.
 * The workers answer /v1/border/status, freshness and /readyz from it and from the state itself, never
 * from memory of their own; a writer that stops publishing leaves a claim that only ages, so a worker
 * never looks fresher than the data it reads.
 */
import type { LatestClaim } from './freshness.js';

export interface SyncView {
  /** When the writer published this (ms since the epoch). */
  publishedAt: number;
  /** The newest verified head claim, with the register's sequence number it vouches for (freshness.ts). */
  latestClaim: (LatestClaim & { registerSeq: number }) | null;
  /** Why the writer's replica must not be sent travellers (database damaged, start check under way), or null. */
  notReadyBecause: string | null;
  /** The damage the writer found, in words for an officer; null while the database is sound. */
  damage: string | null;
  /** The writer's part of GET /v1/border/status (sync state, counters, integrity, relay), as it answers it. */
  status: Record<string, unknown>;
}
