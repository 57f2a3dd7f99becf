/**
 * The replica's digest comparison with the register (border/antiEntropy.ts), as the service runs it:
 * one at a time (a second caller shares the running one), its damage noticed by the health watch, its
 * repairs counted and logged, and the last report kept for the status page.
 */
import { verifyReplica, type VerifyReport } from '../../border/antiEntropy.js';
import type { ReplicaHealth } from '../../border/replicaHealth.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { Follower } from '../../border/sync/follower.js';
import type { ReplicaTrust } from '../../border/sync/trust.js';
import type { Logger } from '../../shared/log.js';
import type { FeedClient } from '../../border/sync/feedClient.js';

export interface ReplicaVerifier {
  verify(): Promise<VerifyReport>;
  /** The last comparison that finished, or null. */
  readonly last: VerifyReport | null;
}

export interface VerifierDeps {
  follower: Follower;
  store: ReplicaStore;
  client: FeedClient;
  trust: ReplicaTrust;
  health: ReplicaHealth;
  log: Logger;
  onReport: (report: VerifyReport) => void;
}

export function replicaVerifier(deps: VerifierDeps): ReplicaVerifier {
  const { follower, store, client, trust, health, log } = deps;
  let last: VerifyReport | null = null;
  let verifying: Promise<VerifyReport> | null = null;
  const verify = () => {
    verifying ??= verifyReplica({ follower, store, client, trust })
      .catch((err: unknown) => Promise.reject(health.noticed(err))) // a digest read off the main thread may meet damage too
      .then((report) => {
        last = report;
        deps.onReport(report);
        if (report.differing.length > 0) log.warn({ differing: report.differing.length, repaired: report.repaired }, 'anti-entropy repaired the replica');
        else log.info({ asOfSeq: report.asOfSeq }, 'anti-entropy: replica matches the register');
        return report;
      })
      .finally(() => (verifying = null));
    return verifying;
  };
  return {
    verify,
    get last() {
      return last;
    },
  };
}
