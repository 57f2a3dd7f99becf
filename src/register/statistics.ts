/**
 * The transparency statistics (GET /v1/statistics): raw counts gathered from sources, then every cell
 * under 10 suppressed (api/statistics.ts says how).
 *
 * A source is one small function reading one table or tracker, listed in STATISTICS_SOURCES.
 */
import { type Cell, type StatisticsAnswer, SUPPRESS_UNDER } from '../api/statistics.js';
import type { ReliefFigures, ReliefTimes } from './reliefTimes.js';
import type { ContestTallies, RegisterStore, RestrictionTally } from './registerStore.js';

export interface RawStatistics {
  restrictions: RestrictionTally[];
  relief: ReliefFigures;
  contests?: ContestTallies;
  confirmedNonMatches?: number;
}

export interface StatisticsContext {
  store: RegisterStore;
  relief: ReliefTimes;
}

export type StatisticsSource = (ctx: StatisticsContext) => Promise<Partial<RawStatistics>>;

export const restrictionSource: StatisticsSource = async ({ store }) => ({ restrictions: await store.restrictionTallies() });
export const reliefSource: StatisticsSource = async ({ relief }) => ({ relief: relief.figures() });

/** Contests ever opened, answered upheld / rejected, and open past their deadline now. */
export const contestSource: StatisticsSource = async ({ store }) => ({ contests: await store.contestTallies(new Date().toISOString()) });
/** Confirmed non-matches in force: a revoked attestation no longer clears anyone, so it is not counted. */
export const nonMatchSource: StatisticsSource = async ({ store }) => ({ confirmedNonMatches: await store.attestationCount() });

export const STATISTICS_SOURCES: StatisticsSource[] = [restrictionSource, reliefSource, contestSource, nonMatchSource];

export async function gatherStatistics(ctx: StatisticsContext, sources: StatisticsSource[] = STATISTICS_SOURCES): Promise<RawStatistics> {
  const parts = await Promise.all(sources.map((source) => source(ctx)));
  return Object.assign({ restrictions: [], relief: { since: new Date().toISOString(), perReplica: [], allReplicas: [] } }, ...parts) as RawStatistics;
}

// ---- suppression (pure) ----

export function cell(n: number): Cell {
  return n < SUPPRESS_UNDER ? { n: null, suppressed: true } : { n };
}

/** A total of cells: published only when every cell it adds up is, so no hidden cell can be worked out. */
export function total(cells: Cell[]): Cell {
  if (cells.some((c) => c.suppressed)) return { n: null, suppressed: true };
  return { n: cells.reduce((sum, c) => sum + (c.n ?? 0), 0) };
}

/** The nearest-rank percentile of `values` (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function times(samples: readonly number[]) {
  if (samples.length < SUPPRESS_UNDER) return { samples: cell(samples.length), p50Ms: null, p95Ms: null, suppressed: true as const };
  return { samples: cell(samples.length), p50Ms: percentile(samples, 50), p95Ms: percentile(samples, 95) };
}

const COLUMNS = ['imposed', 'lifted', 'expired'] as const;

export function suppressStatistics(raw: RawStatistics, now = new Date()): StatisticsAnswer {
  const rows = raw.restrictions.map((t) => ({ kind: t.kind, office: t.office, imposed: cell(t.imposed), lifted: cell(t.lifted), expired: cell(t.expired) }));
  const kinds = [...new Set(rows.map((r) => r.kind))].sort();
  const byKind = kinds.map((kind) => {
    const mine = rows.filter((r) => r.kind === kind);
    return { kind, ...Object.fromEntries(COLUMNS.map((c) => [c, total(mine.map((r) => r[c]))])) } as StatisticsAnswer['restrictions']['byKind'][number];
  });
  const grand = Object.fromEntries(COLUMNS.map((c) => [c, total(rows.map((r) => r[c]))])) as StatisticsAnswer['restrictions']['total'];
  const out: StatisticsAnswer = {
    generatedAt: now.toISOString(),
    suppressUnder: SUPPRESS_UNDER,
    restrictions: { byKindAndOffice: rows, byKind, total: grand },
    // All expiries: a sum over every row, so it too is suppressed when any row's count is.
    expiries: grand.expired,
    timeToRelief: { since: raw.relief.since, perReplica: times(raw.relief.perReplica), allReplicas: times(raw.relief.allReplicas) },
  };
  if (raw.contests) {
    const c = raw.contests;
    out.contests = { opened: cell(c.opened), upheld: cell(c.upheld), rejected: cell(c.rejected), overdue: cell(c.overdue) };
  }
  if (raw.confirmedNonMatches !== undefined) out.confirmedNonMatches = cell(raw.confirmedNonMatches);
  return out;
}
