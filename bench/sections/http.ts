/**
 * Screening over HTTP under load (autocannon, in the bench process), beside the HTTP floor: a bare
 * Fastify server on the same machine answering a constant to the same load (bench/harness/floorServer.ts).
 *
 * The load is a fixed, seeded mix of travellers, cycled by every connection:
 *   40 % listed persons typed as an officer would (ICAO Latin surname and given names, date of birth),
 *   20 % listed persons by passport MRZ (TD3, with their document number),
 *   20 % a document number and nationality only,
 *   20 % strangers (a listed surname with another given name and a date of birth of nobody in particular).
 * Every screening is real: matched, decided and written to the replica's audit before it is answered.
 */
import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { generatePerson } from '../../src/demo/synthetic.js';
import { icaoLatin } from '../../src/matching/index.js';
import type { Store } from '../harness/deployment.js';
import { type BenchContext, httpJson } from '../harness/erx.js';
import type { Service } from '../harness/processes.js';
import { ms, num, pct, verdict } from '../harness/stats.js';
import type { Row } from '../harness/report.js';
import { seededRandom } from '../harness/seededRandom.js';

export const HTTP_TARGET = { perSecond: 10_000, p99Ms: 10 };

export const FLOOR_SCRIPT = join(fileURLToPath(new URL('.', import.meta.url)), '../harness/floorServer.js');


/** `count` screening request bodies (JSON) for a register of `persons` persons made with `seed`. */
export function screeningPool(persons: number, seed: number, count: number): string[] {
  const r = seededRandom(seed ^ 0x5eed);
  const space = Math.max(persons, 1000);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const p = generatePerson(Math.floor(r() * space), { seed });
    const kind = r();
    const doc = p.documents[0]!;
    if (kind < 0.4 || persons === 0) {
      out.push(JSON.stringify({ surname: icaoLatin(p.surname), givenNames: icaoLatin(p.givenNames), dateOfBirth: p.dateOfBirth }));
    } else if (kind < 0.6 && p.dateOfBirth.length === 10) {
      out.push(JSON.stringify({ mrz: td3({ surname: p.surname, givenNames: p.givenNames, documentNumber: doc.number.slice(0, 9), country: 'RUS', dateOfBirth: p.dateOfBirth, sex: p.sex, expires: '2031-01-01' }) }));
    } else if (kind < 0.8) {
      out.push(JSON.stringify({ documentNumber: doc.number, nationality: 'RUS' }));
    } else {
      const other = generatePerson(Math.floor(r() * space), { seed });
      const dob = `${1960 + Math.floor(r() * 48)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
      out.push(JSON.stringify({ surname: icaoLatin(p.surname), givenNames: icaoLatin(other.givenNames), dateOfBirth: dob }));
    }
  }
  return out;
}

export interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
  authorization?: string | undefined;
}

function cannon(url: string, pool: string[], options: LoadOptions, duration: number): Promise<autocannon.Result> {
  let i = 0;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-checkpoint-id': 'bench' };
  if (options.authorization) headers.authorization = options.authorization;
  return autocannon({
    url: `${url}/v1/screenings`,
    method: 'POST',
    connections: options.connections,
    duration,
    headers,
    requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, body: pool[i++ % pool.length]! }) }],
  });
}

/** Warm-up (JIT, page cache), then the measured run. */
export async function runLoad(url: string, pool: string[], options: LoadOptions): Promise<LoadResult> {
  if (options.warmupSeconds > 0) await cannon(url, pool, options, options.warmupSeconds);
  const r = await cannon(url, pool, options, options.durationSeconds);
  return { perSecond: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** Screens part of the pool one by one: the decision mix, and a check that the service answers 200. */
export async function sampleDecisions(replica: Service, pool: string[], authorization: string | undefined, n = 200, maxMs = 15_000): Promise<{ mix: Record<string, number>; answer: string }> {
  const mix: Record<string, number> = {};
  let answer = '';
  const t0 = performance.now();
  for (let i = 0; i < Math.min(n, pool.length) && (i < 10 || performance.now() - t0 < maxMs); i++) {
    const r = await httpJson('POST', `${replica.url}/v1/screenings`, JSON.parse(pool[i]!), authorization);
    if (r.status !== 200) throw new Error(`screening answered ${r.status}: ${JSON.stringify(r.body)} for ${pool[i]}`);
    mix[r.body.decision] = (mix[r.body.decision] ?? 0) + 1;
    if (!answer || (r.body.decision === 'hit' && !answer.includes('"hit"'))) answer = JSON.stringify(r.body);
  }
  return { mix, answer };
}

/** Starts the floor server answering `answer`, loads it like erx, stops it. */
export async function measureFloor(ctx: BenchContext, pool: string[], answer: string, options: LoadOptions): Promise<LoadResult> {
  const dir = ctx.resources.tempDir('floor');
  const file = join(dir, 'answer.json');
  writeFileSync(file, answer);
  const floor = await ctx.resources.node('floor', FLOOR_SCRIPT, [file]);
  try {
    return await runLoad(floor.url, pool, { ...options, authorization: undefined });
  } finally {
    await floor.stop();
    ctx.resources.removeDir(dir);
  }
}

/** The store's audit floor (Store.auditFloor), in a temporary directory of its own. */
export async function auditFloor(ctx: BenchContext, store: Store, answer: string, seconds = 2): Promise<number> {
  const dir = ctx.resources.tempDir('audit-floor');
  try {
    return await store.auditFloor(dir, answer, seconds);
  } finally {
    ctx.resources.removeDir(dir);
  }
}

export interface HttpResult {
  persons: number;
  deployment: string;
  load: LoadResult;
  mix: Record<string, number>;
}

/** A store's audit floor: rows/s, and how the audit is made durable. */
export interface AuditFloor {
  perSecond: number;
  durability: string;
}

export function httpTable(results: HttpResult[], floor: LoadResult | undefined, options: LoadOptions, auditFloors: Map<string, AuditFloor>): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const met = r.persons > 0 ? r.load.perSecond >= HTTP_TARGET.perSecond && r.load.p99 <= HTTP_TARGET.p99Ms && r.load.non2xx === 0 : undefined;
    const total = Object.values(r.mix).reduce((a, b) => a + b, 0);
    rows.push({
      'listed persons': r.persons === 0 ? '0 (empty replica)' : num(r.persons),
      'store / transport': r.deployment,
      'screenings/s': num(r.load.perSecond),
      'p50': ms(r.load.p50, 0),
      'p99': ms(r.load.p99, 0),
      'non-2xx / errors': `${num(r.load.non2xx)} / ${num(r.load.errors)}`,
      'decisions (sample)': Object.entries(r.mix).map(([d, n]) => `${d} ${pct(n / total)}`).join(', '),
      'baseline: constant answer': floor ? `${num(floor.perSecond)} req/s, p99 ${ms(floor.p99, 0)}` : '—',
      '÷ floor': floor ? pct(r.load.perSecond / floor.perSecond) : '—',
      'target': `≥ ${num(HTTP_TARGET.perSecond)}/s, p99 < ${HTTP_TARGET.p99Ms} ms`,
      'verdict': verdict(met),
    });
    if (met === false) {
      const why: string[] = [];
      if (r.load.perSecond < HTTP_TARGET.perSecond) why.push(`${num(r.load.perSecond)} screenings/s`);
      if (r.load.p99 > HTTP_TARGET.p99Ms) why.push(`p99 ${ms(r.load.p99, 0)}`);
      if (r.load.non2xx > 0) why.push(`${num(r.load.non2xx)} non-2xx answers`);
      notes.push(`Screening at ${num(r.persons)} listed persons (${r.deployment}) misses the target: ${why.join(', ')}.`);
    }
  }
  if (floor) {
    notes.push(
      `The floor — the same load against a Fastify server answering a constant on this machine — is ${num(floor.perSecond)} req/s at p99 ${ms(floor.p99, 0)}, ` +
        `with ${options.connections} connections; the load generator shares the 2 cores with the server in both cases.`,
    );
  }
  for (const [store, audit] of auditFloors) {
    notes.push(
      `Every erx screening's audit entry is committed (${audit.durability}) before the screening is answered. ` +
        `On \`${store}\`, such entries written one per transaction, sequentially, right after the load in a table of the audit's shape on the same disk, ran at ${num(audit.perSecond)} rows/s ` +
        '(write latency varies with whatever else uses the disk): the ceiling of a replica that commits each screening alone.',
    );
  }
  return { rows, notes };
}
