/**
 * Carriers' manifests (issue #19): `POST /v1/manifests` of `travellers`-traveller manifests (300 by
 * default: a full narrow-body flight) against a replica of the synthetic register, from `connections`
 * concurrent carriers for a fixed time. Every traveller is screened now and as of departure and audited,
 * as a single screening is. Figures: travellers/s, per-manifest p50/p99 (client side), and the replica
 * process's CPU per traveller (utime+stime from /proc, so neither the load generator nor other processes
 * count) — beside the same figure for single screenings (`POST /v1/screenings`) of the same travellers.
 *
 * The travellers: half listed persons as a carrier lists them (ICAO Latin names, date of birth, passport
 * number, nationality), half strangers (a listed surname, another given name and date of birth, an
 * unknown document). Manifests depart 20 s after they are sent, so the live set (which the replica
 * re-screens after every feed change and every minute) stays that of the last seconds of load, as it
 * would for a replica past its busiest hour.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { authSecret, issueToken } from '../../src/auth/tokens.js';
import { generatePerson } from '../../src/demo/synthetic.js';
import { icaoLatin } from '../../src/matching/index.js';
import { type BenchContext, httpJson, type RunningReplica, settled } from '../harness/erx.js';
import type { Row } from '../harness/report.js';
import { seededRandom } from '../harness/seededRandom.js';
import { ms, num, percentile, verdict } from '../harness/stats.js';

/** Manifests depart this long after they are sent (they stay live, and re-screened, until then). */
const DEPARTS_AFTER_MS = 20_000;

export const MANIFEST_TARGET = { travellersPerSecond: 10_000, p99Ms: 200 };

export interface ManifestOptions {
  travellers: number;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

export interface ManifestResult {
  persons: number;
  deployment: string;
  /** The replica's worker processes (--workers). */
  workers: number;
  travellers: number;
  manifests: number;
  travellersPerSecond: number;
  p50: number;
  p99: number;
  failures: number;
  answers: Record<string, number>;
  /** Replica CPU (ms) per traveller in a manifest, and per single screening. */
  cpuPerTravellerMs: number;
  cpuPerScreeningMs: number;
  screeningsPerSecond: number;
}

interface Traveller {
  surname: string;
  givenNames: string;
  dateOfBirth: string;
  documentNumber: string;
  nationality: string;
}

/** `count` travellers, half listed and half strangers, for a register of `persons` made with `seed`. */
export function manifestTravellers(persons: number, seed: number, count: number): Traveller[] {
  const r = seededRandom(seed ^ 0x3a1f);
  const space = Math.max(persons, 1000);
  const out: Traveller[] = [];
  for (let i = 0; i < count; i++) {
    const p = generatePerson(Math.floor(r() * space), { seed });
    const dob = p.dateOfBirth.length === 10 ? p.dateOfBirth : `${p.dateOfBirth.slice(0, 4)}-01-01`;
    if (r() < 0.5) {
      out.push({ surname: icaoLatin(p.surname), givenNames: icaoLatin(p.givenNames), dateOfBirth: dob, documentNumber: p.documents[0]!.number.replace(/[^A-Za-z0-9]/g, '').slice(0, 20), nationality: 'RUS' });
    } else {
      const other = generatePerson(Math.floor(r() * space), { seed });
      const born = `${1960 + Math.floor(r() * 48)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
      out.push({ surname: icaoLatin(p.surname), givenNames: icaoLatin(other.givenNames), dateOfBirth: born, documentNumber: `X${String(i).padStart(8, '0')}`, nationality: 'KAZ' });
    }
  }
  return out;
}

/** CPU seconds (user + system) one process has used so far, from /proc/PID/stat. */
function processCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line, in clock ticks (USER_HZ, 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The live children of a process, from /proc/PID/task/TID/children. */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}

/** CPU seconds of a replica's processes: its own and, with --workers N, every worker under it. */
function cpuByProcess(pid: number): Map<number, number> {
  const seconds = new Map<number, number>();
  for (const p of [pid, ...childrenOf(pid)]) {
    try {
      seconds.set(p, processCpuSeconds(p));
    } catch {
      // a worker that just exited
    }
  }
  return seconds;
}

const total = (seconds: Map<number, number>) => [...seconds.values()].reduce((a, b) => a + b, 0);

/** CPU seconds of a replica, all its processes together. */
function cpuSeconds(pid: number): number {
  return total(cpuByProcess(pid));
}

async function forSeconds(seconds: number, connections: number, one: () => Promise<void>): Promise<void> {
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) await one();
    }),
  );
}

export async function measureManifests(ctx: BenchContext, replica: RunningReplica, workers: number, persons: number, deployment: string, seed: number, o: ManifestOptions): Promise<ManifestResult> {
  const carrier = ctx.auth ? `Bearer ${await issueToken(authSecret(replica.dir), { role: 'carrier', carrier: 'BENCH', sub: 'bench-carrier', ttlSeconds: 86_400 })}` : undefined;
  await settled(ctx, replica);
  const pool = manifestTravellers(persons, seed, 3000);
  let cursor = 0;
  const next = () => Array.from({ length: o.travellers }, () => pool[cursor++ % pool.length]!);
  const latencies: number[] = [];
  const answers: Record<string, number> = {};
  let failures = 0;
  let travellers = 0;
  let measuring = false;
  const send = async () => {
    const body = { carrier: 'BENCH', service: 'BN1', departureAt: new Date(Date.now() + DEPARTS_AFTER_MS).toISOString(), from: 'SVO', to: 'IST', travellers: next() };
    const t0 = performance.now();
    const res = await httpJson('POST', `${replica.service.url}/v1/manifests`, body, carrier);
    const took = performance.now() - t0;
    if (!measuring) return;
    if (res.status !== 201) {
      failures++;
      if (failures === 1) ctx.log(`    a manifest answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return;
    }
    latencies.push(took);
    travellers += o.travellers;
    for (const t of res.body.travellers as { answer: string }[]) answers[t.answer] = (answers[t.answer] ?? 0) + 1;
  };
  // The same travellers one by one, as single screenings, for the per-traveller CPU beside it — before
  // the manifests, whose re-screening while they are live (once a minute) would otherwise share the
  // replica's core with these screenings and inflate their cost.
  let screenings = 0;
  let i = 0;
  const screen = async () => {
    const t = pool[i++ % pool.length]!;
    const res = await httpJson('POST', `${replica.service.url}/v1/screenings`, t, replica.checkpoint);
    if (res.status === 200) screenings++;
  };
  await forSeconds(Math.max(3, o.warmupSeconds), Math.max(o.connections, 4), screen); // warm-up (JIT, memos) of every worker
  screenings = 0;
  const cpu1 = cpuSeconds(replica.service.pid);
  const s0 = performance.now();
  await forSeconds(Math.max(3, o.durationSeconds / 2), Math.max(o.connections, 4), screen);
  const screeningElapsed = (performance.now() - s0) / 1000;
  const cpuScreenings = cpuSeconds(replica.service.pid) - cpu1;
  ctx.log(`  manifests: ${o.warmupSeconds} s warm-up, ${o.durationSeconds} s of ${o.travellers}-traveller manifests from ${o.connections} carriers…`);
  if (o.warmupSeconds > 0) await forSeconds(o.warmupSeconds, o.connections, send);
  measuring = true;
  const before = cpuByProcess(replica.service.pid);
  const t0 = performance.now();
  await forSeconds(o.durationSeconds, o.connections, send);
  const elapsed = (performance.now() - t0) / 1000;
  const after = cpuByProcess(replica.service.pid);
  const cpuManifests = total(after) - total(before);
  // With several workers: how busy each process was (a worker short of CPU shows here).
  if (before.size > 1) ctx.log(`    CPU seconds per process while measured: ${[...after].map(([p, s]) => `pid ${p} ${(s - (before.get(p) ?? 0)).toFixed(2)}`).join(', ')} (of ${o.durationSeconds} s)`);
  // Let the manifests depart before anything else is measured: while live, the replica re-screens them
  // (after feed changes, and once a minute), which would load the next measurement.
  await new Promise((resolve) => setTimeout(resolve, DEPARTS_AFTER_MS + 1000));

  const result: ManifestResult = {
    persons,
    deployment,
    workers,
    travellers: o.travellers,
    manifests: latencies.length,
    travellersPerSecond: travellers / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failures,
    answers,
    cpuPerTravellerMs: (cpuManifests * 1000) / Math.max(travellers, 1),
    cpuPerScreeningMs: (cpuScreenings * 1000) / Math.max(screenings, 1),
    screeningsPerSecond: screenings / screeningElapsed,
  };
  ctx.log(`    ${num(result.travellersPerSecond)} travellers/s, p99 ${ms(result.p99, 0)} per manifest; CPU ${num(result.cpuPerTravellerMs, 3)} ms per traveller vs ${num(result.cpuPerScreeningMs, 3)} ms per single screening`);
  return result;
}

export function manifestTable(results: ManifestResult[]): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const met = r.travellersPerSecond >= MANIFEST_TARGET.travellersPerSecond && r.p99 < MANIFEST_TARGET.p99Ms && r.failures === 0;
    const total = Object.values(r.answers).reduce((a, b) => a + b, 0);
    rows.push({
      'listed persons': num(r.persons),
      'store / transport': r.deployment,
      'workers': num(r.workers),
      'travellers / manifest': num(r.travellers),
      'manifests': num(r.manifests),
      'travellers/s': num(r.travellersPerSecond),
      'p50 / p99 per manifest': `${ms(r.p50, 0)} / ${ms(r.p99, 0)}`,
      'answers': Object.entries(r.answers).map(([a, n]) => `${a} ${num((100 * n) / total)} %`).join(', '),
      'replica CPU per traveller': ms(r.cpuPerTravellerMs, 3),
      'baseline: CPU per single screening': `${ms(r.cpuPerScreeningMs, 3)} (${num(r.screeningsPerSecond)}/s)`,
      'target': `≥ ${num(MANIFEST_TARGET.travellersPerSecond)} travellers/s, p99 < ${MANIFEST_TARGET.p99Ms} ms`,
      'verdict': verdict(met),
    });
    if (!met) {
      const why: string[] = [];
      if (r.travellersPerSecond < MANIFEST_TARGET.travellersPerSecond) why.push(`${num(r.travellersPerSecond)} travellers/s`);
      if (r.p99 >= MANIFEST_TARGET.p99Ms) why.push(`p99 ${ms(r.p99, 0)}`);
      if (r.failures > 0) why.push(`${num(r.failures)} refused manifests`);
      notes.push(
        `Manifests at ${num(r.persons)} listed persons (${r.deployment}, ${r.workers} worker${r.workers === 1 ? '' : 's'}) miss the target: ${why.join(', ')}. ` +
          `What limits it is the replica's CPU: at ${ms(r.cpuPerTravellerMs, 3)} per traveller, ${r.workers} busy core${r.workers === 1 ? '' : 's'} answer at most ${num((r.workers * 1000) / r.cpuPerTravellerMs)} travellers/s, and the load generator shares the machine's cores.`,
      );
    }
    notes.push(
      `Per traveller, a manifest costs the replica ${num(r.cpuPerTravellerMs / r.cpuPerScreeningMs, 2)}× the CPU of a single screening: one HTTP request and one token check are shared by ${r.travellers} travellers, ` +
        'while each traveller is decided twice (now and at departure) and the manifest is stored with every reason.',
    );
  }
  return { rows, notes };
}
