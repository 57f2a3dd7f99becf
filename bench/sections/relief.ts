/**
 * Time to relief at the border (issue #18): a lift at the register → applied at each following replica,
 * with one and with two replicas, beside the ban (a restriction imposed) measured in the same run as
 * its baseline: relief should travel at least as fast as a ban. The trials are the lag section's
 * (bench/sections/lag.ts: the clock runs from the committing request to the replica's status showing
 * the sequence number). Beside them, the register's own figure — what `GET /v1/statistics` publishes
 * as `timeToRelief`, measured from the followers' cursors (HTTP followers only: a JetStream consumer
 * never asks the register for changes). The bench's replicas and its bare subscriber share one feed
 * token, and the register tells followers apart by token subject, so here its figure is the time until
 * the first of them applied the lift — a check of the in-product measurement, not a per-replica figure.
 */
import type { Deployment } from '../harness/deployment.js';
import { type BenchContext, httpJson } from '../harness/erx.js';
import type { Row } from '../harness/report.js';
import { ms, num, percentile, verdict } from '../harness/stats.js';
import { type LagResult, measureLag } from './lag.js';

export const RELIEF_REPLICAS = [1, 2];

interface RegisterFigure {
  samples: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ReliefResult {
  deployment: string;
  lag: LagResult[];
  /** The register's own measurement over the whole run (both replica counts), per replica. */
  register: RegisterFigure | null;
}

export async function measureRelief(ctx: BenchContext, dep: Deployment, options: { trials: number; registerPersons: number; seed: number }): Promise<ReliefResult> {
  let register: RegisterFigure | null = null;
  const lag = await measureLag(ctx, dep, {
    ...options,
    replicaCounts: RELIEF_REPLICAS,
    afterTrials: async (reg) => {
      const r = await httpJson('GET', `${reg.service.url}/v1/statistics`);
      const t = r.body?.timeToRelief?.perReplica;
      if (r.status === 200 && t) register = { samples: t.samples.n, p50Ms: t.p50Ms, p95Ms: t.p95Ms };
    },
  });
  return { deployment: dep.label, lag, register };
}

export function reliefTable(results: ReliefResult[]): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const res of results) {
    for (const n of RELIEF_REPLICAS) {
      const lift = res.lag.find((r) => r.replicas === n && r.change === 'lift');
      const ban = res.lag.find((r) => r.replicas === n && r.change === 'impose');
      if (!lift || !ban) continue;
      const [l50, l99, b50, b99] = [percentile(lift.lags, 50), percentile(lift.lags, 99), percentile(ban.lags, 50), percentile(ban.lags, 99)];
      // Relief keeps pace with a ban when its p99 is within one poll interval of the ban's.
      const met = lift.timeouts === 0 && l99 <= b99 + lift.pollMs;
      rows.push({
        'replicas': num(n),
        'store / transport': res.deployment,
        'lifts': num(lift.slowest.length),
        'relief p50 / p99': `${ms(l50)} / ${ms(l99)}`,
        'relief, slowest replica p99': ms(percentile(lift.slowest, 99)),
        'baseline: ban p50 / p99': `${ms(b50)} / ${ms(b99)}`,
        'register\'s own figure p50 / p95 (all counts; first follower to apply)': res.register && res.register.p50Ms !== null ? `${ms(res.register.p50Ms)} / ${ms(res.register.p95Ms!)} (${num(res.register.samples ?? 0)} samples)` : '—',
        'target': 'relief p99 ≤ ban p99',
        'verdict': verdict(met),
      });
      if (!met) notes.push(`Relief to ${n} replica(s) over ${res.deployment} was slower than a ban: p99 ${ms(l99)} against ${ms(b99)}${lift.timeouts ? `, ${lift.timeouts} observations timed out` : ''}.`);
    }
    if (!res.register || res.register.p50Ms === null) notes.push(`${res.deployment}: the register published no time to relief${res.deployment.endsWith('nats') ? ' (its replicas follow the JetStream stream and never ask it for changes)' : ' (fewer than 10 measured)'}.`);
  }
  return { rows, notes };
}
