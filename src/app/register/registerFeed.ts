/**
 * What the register serves to replicas (exchange/feedRoutes.ts) and publishes to JetStream: its change
 * log and snapshots read from the store, its published keys, and a fresh signed claim about the head
 * with every page and heartbeat (exchange/headClaim.ts).
 */
import { headClaimer } from '../../exchange/headClaim.js';
import type { RegisterKeys } from '../../auth/keyRing.js';
import type { RegisterStore } from '../../register/registerStore.js';

export function registerFeed(store: RegisterStore, keys: RegisterKeys) {
  return {
    headSeq: () => store.headSeq(),
    batchesAfter: (after: number, max: number, options?: { reliefOnly?: boolean }) => store.batchesAfter(after, max, options),
    oldestSeq: () => store.oldestSeq(),
    snapshot: (options?: { buckets?: number[] }) => store.snapshot(options),
    onCommit: (listener: (head: number) => void) => store.onCommit(listener),
    keys: async () => keys.published(),
    headClaim: headClaimer(store, keys),
  };
}
