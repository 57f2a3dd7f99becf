/**
 * The register's due-process gauges and counter: contests open and overdue, restrictions due for review
 * within the notice period (read when scraped), and restrictions lifted by expiry (counted per run).
 */
import type { RegisterStore } from '../../register/registerStore.js';
import type { ReviewService } from '../../register/reviewService.js';
import type { ServiceMetrics } from '../../shared/metrics.js';

/** Registers the metrics; returns what the expiry scheduler calls after each run. */
export function dueProcessMetrics(metrics: ServiceMetrics, store: RegisterStore, reviews: ReviewService): (lifted: number) => void {
  metrics.gauge('erx_register_contests_open', 'Contests not yet answered', [], async function () {
    this.set((await store.contestCounts(new Date().toISOString())).open);
  });
  metrics.gauge('erx_register_contests_overdue', 'Contests not answered by their deadline', [], async function () {
    this.set((await store.contestCounts(new Date().toISOString())).overdue);
  });
  metrics.gauge('erx_register_restrictions_due_for_review', 'Open restrictions whose review deadline falls within the notice period', [], async function () {
    this.set(await reviews.countDue());
  });
  const expired = metrics.counter('erx_register_expiry_lifts_total', 'Restrictions lifted with reason expiry (not reviewed by their deadline)');
  return (lifted) => expired.inc(lifted);
}
