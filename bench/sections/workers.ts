/**
 * Single screenings with one worker and with two (`erx border serve --workers N`), under the same load
 * generator as the http section, beside its HTTP floor. The replica with two workers is started on the
 * data directory the one-worker replica bootstrapped (it only catches up), and loaded the same way:
 * autocannon's connections are handed to the workers in turn by the cluster's primary.
 */
import { ms, num, verdict } from '../harness/stats.js';
import type { Row } from '../harness/report.js';
import type { LoadOptions, LoadResult } from './http.js';

/** Screenings/s with 2 workers at least this many times those of 1, under the same load. */
export const WORKERS_TARGET = 1.4;

export interface WorkersResult {
  persons: number;
  deployment: string;
  one: LoadResult;
  two: LoadResult;
  /** The 1-minute load average while the two runs went (the machine is shared). */
  loadAverage: number;
}

export function workersTable(results: WorkersResult[], floor: LoadResult | undefined, options: LoadOptions): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const ratio = r.two.perSecond / r.one.perSecond;
    const met = ratio >= WORKERS_TARGET && r.two.non2xx === 0 && r.one.non2xx === 0;
    rows.push({
      'listed persons': num(r.persons),
      'store / transport': r.deployment,
      '1 worker: screenings/s, p99': `${num(r.one.perSecond)}, ${ms(r.one.p99, 0)}`,
      '2 workers: screenings/s, p99': `${num(r.two.perSecond)}, ${ms(r.two.p99, 0)}`,
      '2 ÷ 1': `${ratio.toFixed(2)}×`,
      'non-2xx (1 / 2)': `${num(r.one.non2xx)} / ${num(r.two.non2xx)}`,
      'baseline: constant answer': floor ? `${num(floor.perSecond)} req/s, p99 ${ms(floor.p99, 0)}` : '—',
      'load average': r.loadAverage.toFixed(1),
      'target': `2 workers ≥ ${WORKERS_TARGET}× 1`,
      'verdict': verdict(met),
    });
  }
  notes.push(
    `What limits the figure: the machine has 2 cores, and autocannon (in the bench process, ${options.connections} connections) and the cluster's primary, which accepts every connection and hands it to a worker, ` +
      'run on them too — two workers can at most take the cores the load generator leaves, so the ratio measured here is a floor of what two workers give on a machine where the load comes from elsewhere. ' +
      "Both workers append their screenings' audit entries to one chain in `audit.db`, each under SQLite's write lock (docs/operations.md, Workers).",
  );
  return { rows, notes };
}
