/**
 * Propagation lag: from a commit at the register to the change being visible to screening at every
 * replica, for an impose (a court order issued, then served: the serve is the commit the border sees)
 * and for a lift.
 *
 * For each trial the bench commits over the register's HTTP API and polls every replica's
 * `/v1/border/status` until its `replicaSeq` reaches the committed sequence number: the replica applies
 * a page in one transaction that also moves the cursor, so once the cursor is there every screening
 * sees the change. (After every trial one replica is also screened for the person, to check the
 * decision really changed: hit after the impose, clear after the lift.) The clock starts when the
 * committing request is sent, so the figure includes the register's own request handling.
 *
 * Polling costs CPU on the same 2 cores, so the interval grows with the number of replicas (about one
 * status request per millisecond in total, spread evenly); it is the resolution of the figure and is
 * printed beside it.
 *
 * Baseline: the transport's floor — a bare subscriber (Feed.bareWait) waiting on the same commit, with
 * nothing to verify or apply: over HTTP a plain long-poll on /v1/exchange/changes; over JetStream an
 * ordered consumer on the register's stream (the register's publisher is in that path: commit →
 * publish → stream → consumer).
 *
 * Each replica count starts with one unmeasured trial (impose and lift), so every replica has its
 * request open — over JetStream, its consumer and the publisher's heartbeat — before the clock runs.
 */
import { type Deployment, syntheticInputs } from '../harness/deployment.js';
import { type BenchContext, httpJson, type RunningRegister, type RunningReplica, sleep, startRegister, startReplica, status, waitForSeq } from '../harness/erx.js';
import { ms, num, percentile, verdict } from '../harness/stats.js';
import type { Row } from '../harness/report.js';
import { generatePersons, type SyntheticPerson } from '../../src/demo/synthetic.js';
import { icaoLatin } from '../../src/matching/index.js';

export const LAG_TARGET_P99_MS = 1000;

export interface LagResult {
  deployment: string;
  replicas: number;
  change: 'impose' | 'lift';
  /** Lag per (trial, replica), ms. */
  lags: number[];
  /** Per trial, the slowest replica, ms. */
  slowest: number[];
  /** Per trial, the bare subscriber, ms. */
  bare: number[];
  pollMs: number;
  screeningChecks: { ok: number; total: number };
  timeouts: number;
  /**
   * Over JetStream: pages the replicas took over HTTP instead of the stream during the trials, by
   * reason (the feed client falls back when the stream cannot give a page). Empty over HTTP.
   */
  fallbacks: Record<string, number>;
}

export interface LagOptions {
  replicaCounts: number[];
  trials: number;
  registerPersons: number;
  seed: number;
  /** Called with the running register after the last trial, before it stops (the relief section reads its statistics). */
  afterTrials?: (reg: RunningRegister) => Promise<void>;
}

/** Persons without restrictions or deferments: a new restriction on them decides the screening alone. */
function probePersons(n: number, seed: number): SyntheticPerson[] {
  const out: SyntheticPerson[] = [];
  for (const p of generatePersons({ count: n, seed })) {
    if (p.restrictions.length === 0 && p.deferments.length === 0 && p.dateOfBirth.length === 10) out.push(p);
  }
  return out;
}

async function startReplicas(ctx: BenchContext, dep: Deployment, reg: RunningRegister, n: number, head: number): Promise<RunningReplica[]> {
  const out: RunningReplica[] = [];
  // A few at a time: 50 node processes starting at once on 2 cores only slows every one of them.
  const parallel = 4;
  for (let i = 0; i < n; i += parallel) {
    const group = await Promise.all(
      Array.from({ length: Math.min(parallel, n - i) }, async () => {
        const dir = ctx.resources.tempDir('lag-replica');
        const replica = await startReplica(ctx, dep, reg, dir);
        await waitForSeq(replica.service, head, { timeoutMs: 120_000, pollMs: 50 });
        return replica;
      }),
    );
    out.push(...group);
  }
  return out;
}

/** Polls one replica until its cursor reaches `seq`; returns performance.now() of the answer that showed it. */
async function seen(replica: RunningReplica, seq: number, pollMs: number, deadline: number): Promise<number> {
  await sleep(Math.random() * pollMs);
  for (;;) {
    const s = await status(replica.service);
    const now = performance.now();
    if (s.replicaSeq >= seq) return now;
    if (now > deadline) return Infinity;
    await sleep(pollMs);
  }
}

/** Pages taken over HTTP instead of JetStream, summed over the replicas (their status reports them). */
async function fallbacksOf(replicas: RunningReplica[]): Promise<Record<string, number>> {
  const sum: Record<string, number> = {};
  for (const r of replicas) {
    const s = (await status(r.service)) as unknown as { transport?: { httpFallbacks?: Record<string, number> } };
    for (const [reason, n] of Object.entries(s.transport?.httpFallbacks ?? {})) sum[reason] = (sum[reason] ?? 0) + n;
  }
  return sum;
}

async function commit(reg: RunningRegister, path: string, body: unknown): Promise<number> {
  const r = await httpJson('POST', `${reg.service.url}${path}`, body, reg.writer);
  if (r.status >= 300) throw new Error(`POST ${path} answered ${r.status}: ${JSON.stringify(r.body)}`);
  const seq = (r.body.changes as number[] | undefined)?.at(-1);
  if (seq === undefined) throw new Error(`POST ${path} appended no change: ${JSON.stringify(r.body)}`);
  return seq;
}

async function trial(
  reg: RunningRegister,
  replicas: RunningReplica[],
  pollMs: number,
  path: string,
  body: unknown,
  head: number,
): Promise<{ lags: number[]; bare: number; seq: number }> {
  const abort = new AbortController();
  const bare = reg.feed.bareWait(head, abort.signal);
  bare.catch(() => undefined);
  // Let the bare subscriber's request reach the register and start waiting, like the replicas' own.
  await sleep(30);
  const t0 = performance.now();
  const seq = await commit(reg, path, body);
  const deadline = t0 + 30_000;
  const [seenAt, bareAt] = await Promise.all([Promise.all(replicas.map((r) => seen(r, seq, pollMs, deadline))), bare]);
  abort.abort();
  return { lags: seenAt.map((t) => t - t0), bare: bareAt - t0, seq };
}

async function screen(replica: RunningReplica, p: SyntheticPerson): Promise<string> {
  const r = await httpJson(
    'POST',
    `${replica.service.url}/v1/screenings`,
    { surname: icaoLatin(p.surname), givenNames: icaoLatin(p.givenNames), dateOfBirth: p.dateOfBirth, documentNumber: p.documents[0]!.number, nationality: 'RUS' },
    replica.checkpoint,
  );
  if (r.status !== 200) throw new Error(`screening answered ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body.decision as string;
}

export async function measureLag(ctx: BenchContext, dep: Deployment, options: LagOptions): Promise<LagResult[]> {
  const { resources, log } = ctx;
  const dir = resources.tempDir('lag-register');
  const persons = probePersons(options.registerPersons, options.seed);
  const built = await dep.store.buildRegister(dir, syntheticInputs(options.registerPersons, options.seed), 1000);
  log(`  lag: register of ${num(built.persons)} persons (${num(persons.length)} usable as probes)`);
  const reg = await startRegister(ctx, dep, dir);
  const results: LagResult[] = [];
  const replicas: RunningReplica[] = [];
  let head = built.changes;
  let probe = 0;
  const runId = Date.now().toString(36);
  try {
    const limit = await dep.store.replicaLimit?.();
    for (const n of [...options.replicaCounts].sort((a, b) => a - b)) {
      if (limit && n > limit.max) {
        log(`  lag: ${n} replicas skipped on ${dep.label}: at most ${limit.max} can run (${limit.why})`);
        skipped.push({ deployment: dep.label, replicas: n, why: `at most ${limit.max} can run here: ${limit.why}` });
        continue;
      }
      log(`  lag: starting ${n - replicas.length} more replica(s) (${n} in all)…`);
      replicas.push(...(await startReplicas(ctx, dep, reg, n - replicas.length, head)));
      const before = await fallbacksOf(replicas);
      const pollMs = Math.max(1, n);
      const impose: LagResult = { deployment: dep.label, replicas: n, change: 'impose', lags: [], slowest: [], bare: [], pollMs, screeningChecks: { ok: 0, total: 0 }, timeouts: 0, fallbacks: {} };
      const lift: LagResult = { ...impose, change: 'lift', lags: [], slowest: [], bare: [], screeningChecks: { ok: 0, total: 0 } };
      const warmUp: LagResult = { ...impose, lags: [], slowest: [], bare: [], screeningChecks: { ok: 0, total: 0 } };
      for (let t = -1; t < options.trials; t++) {
        const p = persons[probe++ % persons.length]!;
        const id = `LAG-${runId}-${probe}`;
        const check = replicas[Math.max(0, t) % replicas.length]!;
        // Issued but not yet served: nothing crosses to the border.
        const issuedAt = new Date(Date.now() - 2000).toISOString();
        const issued = await httpJson('POST', `${reg.service.url}/v1/restrictions`, { personId: p.personId, restrictionId: id, kind: 'court-order', basis: 'Bench lag probe', office: 'CT-BENCH-1', issuedAt }, reg.writer);
        if (issued.status >= 300) throw new Error(`issuing ${id} answered ${issued.status}: ${JSON.stringify(issued.body)}`);
        head = Math.max(head, ...((issued.body.changes as number[]) ?? []));
        for (const [result, path, body, expected] of [
          [t < 0 ? warmUp : impose, `/v1/restrictions/${id}/service`, { servedAt: new Date(Date.now() - 1000).toISOString(), serviceChannel: 'in-person' }, 'hit'],
          [t < 0 ? warmUp : lift, `/v1/restrictions/${id}/lift`, { liftedAt: new Date().toISOString(), liftReason: 'cancellation' }, 'clear'],
        ] as const) {
          const r = await trial(reg, replicas, pollMs, path, body, head);
          head = r.seq;
          const finite = r.lags.filter(Number.isFinite);
          result.timeouts += r.lags.length - finite.length;
          result.lags.push(...finite);
          result.slowest.push(Math.max(...r.lags));
          result.bare.push(r.bare);
          result.screeningChecks.total++;
          if ((await screen(check, p)) === expected) result.screeningChecks.ok++;
          await sleep(20 + Math.random() * 30);
        }
      }
      log(
        `    ${n} replica(s): impose p50 ${ms(percentile(impose.lags, 50))} p99 ${ms(percentile(impose.lags, 99))}; ` +
          `lift p50 ${ms(percentile(lift.lags, 50))} p99 ${ms(percentile(lift.lags, 99))}; bare p99 ${ms(percentile(impose.bare, 99))}`,
      );
      // What the replicas' feed clients report: did the pages really come from the stream?
      for (const [reason, count] of Object.entries(await fallbacksOf(replicas))) {
        const during = count - (before[reason] ?? 0);
        if (during > 0) impose.fallbacks[reason] = during;
      }
      lift.fallbacks = impose.fallbacks;
      results.push(impose, lift);
    }
    await options.afterTrials?.(reg);
  } finally {
    await Promise.allSettled(replicas.map((r) => r.service.stop()));
    await reg.stop();
  }
  return results;
}

/** Replica counts a deployment could not run (its store's limit), for the report. */
const skipped: { deployment: string; replicas: number; why: string }[] = [];

export function lagTable(results: LagResult[]): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = skipped.map((s) => `${s.replicas} replicas on ${s.deployment} were not measured: ${s.why}.`);
  // Transports side by side: by replica count, then change, then deployment (in the order measured).
  const order = [...new Set(results.map((r) => r.deployment))];
  const sorted = [...results].sort((a, b) => a.replicas - b.replicas || (a.change === b.change ? 0 : a.change === 'impose' ? -1 : 1) || order.indexOf(a.deployment) - order.indexOf(b.deployment));
  for (const r of sorted) {
    const p99 = percentile(r.lags, 99);
    const met = r.timeouts === 0 && p99 < LAG_TARGET_P99_MS;
    rows.push({
      'replicas': num(r.replicas),
      'store / transport': r.deployment,
      'change': r.change,
      'trials': num(r.slowest.length),
      'lag p50': ms(percentile(r.lags, 50)),
      'lag p99': ms(p99),
      'slowest replica p99': ms(percentile(r.slowest, 99)),
      'baseline: bare subscriber p50 / p99': `${ms(percentile(r.bare, 50))} / ${ms(percentile(r.bare, 99))}`,
      'poll every': ms(r.pollMs, 0),
      'screening changed': `${r.screeningChecks.ok}/${r.screeningChecks.total}`,
      'target': `p99 < ${num(LAG_TARGET_P99_MS)} ms`,
      'verdict': verdict(met),
    });
    if (!met) {
      notes.push(
        `Lag of a ${r.change} to ${r.replicas} replicas (${r.deployment}) misses the target: p99 ${ms(p99)}` +
          (r.timeouts ? `, and ${r.timeouts} replica observations did not see the change within 30 s` : '') + '.',
      );
    }
    const fell = Object.entries(r.fallbacks);
    if (fell.length > 0 && r.change === 'impose') {
      notes.push(`With ${r.replicas} replicas (${r.deployment}), ${fell.reduce((n, [, c]) => n + c, 0)} pages came over HTTP instead of the stream during the trials (${fell.map(([k, c]) => `${k}: ${c}`).join(', ')}).`);
    }
    if (r.screeningChecks.ok < r.screeningChecks.total) {
      notes.push(`After a ${r.change} with ${r.replicas} replicas, ${r.screeningChecks.total - r.screeningChecks.ok} of ${r.screeningChecks.total} check screenings did not show the expected decision.`);
    }
  }
  return { rows, notes };
}
