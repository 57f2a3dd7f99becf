/**
 * The replica's store as everyone else uses it: watched for damage on disk (border/replicaHealth.ts),
 * which the replica notices, reports and mends itself. Opening fails at start-up on a bad database, not
 * on the first screening; a damaged one is set aside (and rebuilt later from the register) instead.
 */
import { ReplicaHealth } from '../../border/replicaHealth.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { Logger } from '../../shared/log.js';
import { DEFAULT_CHECK_EVERY_MS } from './borderOptions.js';

export interface WatchedReplicaStore {
  store: ReplicaStore;
  health: ReplicaHealth;
}

export async function watchReplicaStore(
  opened: ReplicaStore,
  options: { log: Logger; checkEveryMs?: number | undefined; verifyEveryMs?: number | undefined; checkedElsewhere?: boolean; onDamage?: (reason: string) => void },
): Promise<WatchedReplicaStore> {
  const { checkedElsewhere, onDamage } = options;
  const health = new ReplicaHealth({ store: opened, log: options.log, checkEveryMs: options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS, ...(options.verifyEveryMs ? { verifyEveryMs: options.verifyEveryMs } : {}), ...(checkedElsewhere ? { checkedElsewhere } : {}), ...(onDamage ? { onDamage } : {}) });
  const store = health.watch(opened);
  await store.state().catch((err: unknown) => {
    if (!health.damage) throw err;
  });
  return { store, health };
}
