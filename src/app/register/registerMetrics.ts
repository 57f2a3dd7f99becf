/**
 * The register's Prometheus metrics (shared/metrics.ts): changes written (counted at each commit), the
 * change log's extent (read when scraped), and the feed's load — snapshot streams, waiting long-polls,
 * each client's cursor — through the observer the feed routes call (exchange/feedRoutes.ts).
 */
import type { FeedObserver } from '../../transport/http/feedRoutes.js';
import type { RegisterStore } from '../../register/registerStore.js';
import type { ServiceMetrics } from '../../shared/metrics.js';

export async function registerMetrics(metrics: ServiceMetrics, store: RegisterStore): Promise<FeedObserver> {
  const written = metrics.counter('erx_register_changes_written_total', 'Changes appended to the change log');
  let lastHead = await store.headSeq();
  store.onCommit((head) => {
    written.inc(head - lastHead);
    lastHead = head;
  });
  metrics.gauge('erx_register_head_seq', 'Newest sequence number in the change log', [], async function () {
    this.set(await store.headSeq());
  });
  metrics.gauge('erx_register_log_oldest_seq', 'Oldest sequence number still in the change log (retention)', [], async function () {
    this.set(await store.oldestSeq());
  });
  metrics.gauge('erx_register_log_changes', 'Changes retained in the change log', [], async function () {
    this.set((await store.headSeq()) - (await store.oldestSeq()) + 1);
  });
  const snapshots = metrics.gauge('erx_register_snapshot_streams_in_progress', 'Snapshot streams being sent');
  const waiting = metrics.gauge('erx_register_feed_waiting_requests', 'Long-poll requests waiting for a change');
  const cursors = metrics.gauge('erx_register_feed_client_cursor', 'Last cursor each feed client asked from', ['client']);
  return {
    snapshotStarted: () => snapshots.inc(),
    snapshotEnded: () => snapshots.dec(),
    waitStarted: () => waiting.inc(),
    waitEnded: () => waiting.dec(),
    cursor: (client, after) => cursors.set({ client }, after),
  };
}
