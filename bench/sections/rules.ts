/**
 * A category-wide rule with millions of exemptions (issue #8): how fast a checkpoint screens when one
 * rule ("men aged 18 to 60 may not leave") stands beside N persons holding an exemption from it.
 *
 * The replica state is built in-process through the store's own bootstrap writer (SqliteReplicaStore,
 * as `erx border serve` builds it from a snapshot; the transport is measured in other sections): N men
 * aged 18–60 from the synthetic register (src/demo/synthetic.ts: realistic surname and given-name
 * frequencies, documents), each holding one valid exemption, plus one rule record. Then four seeded
 * traveller mixes are screened in-process through ScreeningService.screen — match, restrictions,
 * rules, decision and the audit write, as a checkpoint's request does — one at a time:
 *
 *   a  exemption holders presenting their document (TD3 MRZ; typed number for the few with an internal passport only)
 *   b  exemption holders by name and date of birth only (typed, ICAO Latin, no sex or nationality)
 *   c  men of the rule's scope holding no exemption (MRZ; persons of the same register not in the replica)
 *   d  travellers out of scope: women, men aged 61+, men of another nationality (MRZ)
 *
 * Three screening paths over the same store, interleaved traveller by traveller (rotating which goes
 * first) so that the shared machine's noise falls on all alike:
 *
 *   rule              the store as it is: store.rules() is read on every screening
 *   rule, read once   the same rule handed over already parsed (isolates the cost of store.rules())
 *   baseline          the rule absent (rules() returns []): list-only screening, the same store and travellers
 *
 * The expected decision shares are asserted: a miss is reported as a regression and fails the run.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ScreeningService, type ScreeningResponse } from '../../src/border/screening.js';
import type { RuleReason } from '../../src/border/ruleScreening.js';
import type { ReplicaStore } from '../../src/border/replicaStore.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { generatePersons, MAX_PERSONS, type SyntheticPerson } from '../../src/demo/synthetic.js';
import { ageRange, type CategoryRule, localDate } from '../../src/domain/rules.js';
import type { Deferment, DefermentCategory } from '../../src/domain/types.js';
import { borderPersonOf, type SnapshotRecord } from '../../src/exchange/protocol.js';
import { defaultMatcher, icaoLatin } from '../../src/matching/index.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import type { BenchContext } from '../harness/erx.js';
import { memoryOf } from '../harness/processes.js';
import { type Block, type Row, table } from '../harness/report.js';
import { count, mb, mib, ms, num, pct, percentile, secs, verdict } from '../harness/stats.js';
import { seededRandom } from '../harness/seededRandom.js';

export const RULES_TIME_ZONE = 'Europe/Moscow';
const REQUESTER = 'bench-checkpoint';
const WRITE_BATCH = 10_000;

export const RULE: Omit<CategoryRule, 'versionAt'> = {
  ruleId: 'R-MOB-18-60',
  version: 1,
  title: 'Men aged 18 to 60 may not leave',
  scope: { nationalities: ['RUS'], sex: 'M', ageFrom: 18, ageTo: 60 },
  basis: 'Decree 647 (synthetic), art. 3',
  authority: 'Government of the Russian Federation',
  validFrom: '2020-01-01',
  exemptCategories: ['health', 'student', 'family', 'occupation'],
};

export type MixName = 'a' | 'b' | 'c' | 'd';
export type VariantName = 'rule' | 'cached' | 'baseline';
type Decision = ScreeningResponse['decision'];

export const MIXES: Record<MixName, { label: string; expected: string }> = {
  a: { label: '(a) exemption holders by MRZ / document', expected: '≥ 99 % clear, as exempt' },
  b: { label: '(b) exemption holders by name + date of birth only', expected: '≥ 97 % clear, as exempt' },
  c: { label: '(c) men in scope, no exemption (MRZ)', expected: 'hit (≥ 25 %); the rest only through a namesake holding an exemption' },
  d: { label: '(d) out of scope: women, men 61+, other nationality (MRZ)', expected: '≥ 99 % clear' },
};
const VARIANTS: VariantName[] = ['rule', 'cached', 'baseline'];

export interface RulesOptions {
  /** Exemption holders in the replica, one run per size. */
  sizes: number[];
  seed: number;
}

export interface VariantResult {
  latencies: number[];
  cpuMs: number;
  decisions: Record<Decision, number>;
  /** Rule reasons by status (the first rule reason of each screening), `none` when the rule gave none. */
  statuses: Record<string, number>;
}

export interface MixResult {
  mix: MixName;
  screened: number;
  variants: Record<VariantName, VariantResult>;
  /** Travellers whose decision differed between reading the rules per screening and once (must be 0). */
  pathDisagreements: number;
}

export interface RulesRun {
  holders: number;
  /** Persons of the synthetic register walked through to find them (men aged 18–60 are kept). */
  scanned: number;
  crossingDate: string;
  buildSeconds: number;
  /** Of which the bootstrap's finish: building the indexes, fsync, rename. */
  finishSeconds: number;
  records: number;
  stateBytes: number;
  rssAfterBuild: number;
  rssAfterScreening: number;
  peakRss: number;
  /** One store.rules() call (SELECT of the rules table + JSON.parse), measured alone. */
  rulesCallMicros: number;
  mixes: MixResult[];
  failures: string[];
}

export interface RulesResult {
  runs: RulesRun[];
}


const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/**
 * The store's calls are synchronous under async signatures: a loop of them never gives timers or
 * signal handlers a turn. A macrotask turn now and then keeps Ctrl-C and the harness's load sampler alive.
 */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Exemption categories by age, roughly as the synthetic register grants deferments: study for the young, family and work later. */
function categoryFor(age: number, u: number): DefermentCategory {
  const mix: [DefermentCategory, number][] =
    age < 25 ? [['student', 0.6], ['health', 0.2], ['family', 0.05], ['occupation', 0.15]]
    : age <= 30 ? [['student', 0.1], ['health', 0.25], ['family', 0.25], ['occupation', 0.4]]
    : [['health', 0.3], ['family', 0.4], ['occupation', 0.3]];
  for (const [c, w] of mix) {
    if (u < w) return c;
    u -= w;
  }
  return mix[mix.length - 1]![0];
}

/** An exemption valid on the crossing date: granted up to three years before, ending one month to three years after. */
function exemptionFor(age: number, crossingMs: number, r: () => number): Deferment {
  return {
    kind: 'exemption',
    category: categoryFor(age, r()),
    validFrom: isoDay(crossingMs - Math.floor(r() * 3 * 365) * DAY),
    validTo: isoDay(crossingMs + (30 + Math.floor(r() * 3 * 365)) * DAY),
  };
}

/** Full date for a document: a partial date of the register (YYYY, YYYY-MM) as a passport would carry it. */
function fullDate(dob: string): string {
  if (dob.length === 10) return dob;
  if (dob.length === 7) return `${dob}-15`;
  return `${dob}-06-15`;
}

function ageSpan(p: SyntheticPerson, crossingDate: string) {
  return ageRange(p.dateOfBirth, crossingDate) ?? { min: -1, max: -1 };
}

const passportOf = (p: SyntheticPerson) => p.documents.find((d) => d.type === 'passport');

function mrzOf(p: SyntheticPerson, country: string, documentNumber: string, sex: 'M' | 'F'): Record<string, string> {
  return { mrz: td3({ surname: p.surname, givenNames: p.givenNames, documentNumber, country, dateOfBirth: fullDate(p.dateOfBirth), sex, expires: '2031-01-01' }) };
}

/** (a) an exemption holder presenting his document. */
function byDocument(p: SyntheticPerson): Record<string, string> {
  const passport = passportOf(p);
  if (passport) return mrzOf(p, 'RUS', passport.number, 'M');
  // Internal passport only: the officer types it (a TD3 number field holds 9 characters).
  const doc = p.documents[0]!;
  return {
    surname: icaoLatin(p.surname),
    givenNames: icaoLatin(p.givenNames),
    dateOfBirth: fullDate(p.dateOfBirth),
    documentNumber: doc.number,
    nationality: 'RUS',
    documentCountry: 'RUS',
    sex: 'M',
  };
}

/** (b) an exemption holder by name and date of birth only, as typed from the passport (ICAO Latin). */
function byName(p: SyntheticPerson): Record<string, string> {
  return { surname: icaoLatin(p.surname), givenNames: icaoLatin(p.givenNames), dateOfBirth: fullDate(p.dateOfBirth) };
}

interface Built {
  store: SqliteReplicaStore;
  dir: string;
  scanned: number;
  records: number;
  buildSeconds: number;
  finishSeconds: number;
  /** A seeded sample of the holders (reservoir), for the travellers of mixes a and b. */
  sample: SyntheticPerson[];
}

async function buildState(ctx: BenchContext, holders: number, seed: number, crossingDate: string, sampleSize: number): Promise<Built> {
  const { log } = ctx;
  const dir = ctx.resources.tempDir(`rules-${holders}`);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  const crossingMs = Date.parse(crossingDate);
  const r = seededRandom(seed ^ 0x5e7);
  const sample: SyntheticPerson[] = [];
  const t0 = performance.now();
  const writer = await store.beginBootstrap();
  const rule: CategoryRule = { ...RULE, versionAt: '2026-01-01T00:00:00Z' };
  let batch: SnapshotRecord[] = [{ type: 'rule', body: rule }];
  let made = 0;
  let scanned = 0;
  let lastLine = t0;
  for (const p of generatePersons({ count: Math.min(MAX_PERSONS, holders * 4 + 10_000), seed })) {
    scanned++;
    if (p.sex !== 'M') continue;
    const age = ageSpan(p, crossingDate);
    if (age.min < RULE.scope.ageFrom || age.max > RULE.scope.ageTo) continue;
    const exemption = exemptionFor(age.min, crossingMs, r);
    batch.push({ type: 'person', body: borderPersonOf({ ...p, deferments: [exemption] }) });
    // Reservoir sampling (algorithm R): every holder equally likely to be screened.
    if (sample.length < sampleSize) sample.push(p);
    else {
      const j = Math.floor(r() * (made + 1));
      if (j < sampleSize) sample[j] = p;
    }
    made++;
    if (batch.length >= WRITE_BATCH) {
      await writer.write(batch);
      batch = [];
      await turn();
    }
    if (performance.now() - lastLine > 15_000) {
      lastLine = performance.now();
      const s = (lastLine - t0) / 1000;
      log(`    ${num(made)} / ${num(holders)} exemption holders written (${num(made / s)}/s, ${secs(s, 0)})`);
    }
    if (made >= holders) break;
  }
  if (made < holders) throw new Error(`the synthetic register ran out after ${num(scanned)} persons with ${num(made)} men aged 18–60`);
  await writer.write(batch);
  const f0 = performance.now();
  log(`    ${num(made)} written; building the indexes…`);
  await writer.finish(1, new Date().toISOString(), '');
  const t1 = performance.now();
  return { store, dir, scanned, records: made + 1, buildSeconds: (t1 - t0) / 1000, finishSeconds: (t1 - f0) / 1000, sample };
}

/** Travellers who are not in the replica: persons of the same register beyond the range it was built from. */
function strangers(seed: number, from: number, perMix: number, crossingDate: string): { c: Record<string, string>[]; d: Record<string, string>[] } {
  const c: Record<string, string>[] = [];
  const women: Record<string, string>[] = [];
  const older: Record<string, string>[] = [];
  const foreign: Record<string, string>[] = [];
  const third = Math.ceil(perMix / 3);
  let n = 0;
  for (const p of generatePersons({ count: Math.min(MAX_PERSONS - from, perMix * 40 + 100_000), seed, startIndex: from })) {
    const passport = passportOf(p);
    if (!passport || p.dateOfBirth.length !== 10) continue;
    const age = ageSpan(p, crossingDate).min;
    if (p.sex === 'F') {
      if (women.length < third && age >= 18 && age <= 60) women.push(mrzOf(p, 'RUS', passport.number, 'F'));
    } else if (age > 60) {
      if (older.length < third) older.push(mrzOf(p, 'RUS', passport.number, 'M'));
    } else if (age >= 18) {
      // Alternate: a man of the scope, or a man of the same age travelling on another state's passport.
      if (n++ % 4 === 3) {
        if (foreign.length < third) foreign.push(mrzOf(p, 'KAZ', 'N' + passport.number.slice(1), 'M'));
      } else if (c.length < perMix) c.push(mrzOf(p, 'RUS', passport.number, 'M'));
    }
    if (c.length >= perMix && women.length >= third && older.length >= third && foreign.length >= third) break;
  }
  const d: Record<string, string>[] = [];
  for (let i = 0; d.length < perMix && i < third; i++) {
    for (const list of [women, older, foreign]) if (list[i] && d.length < perMix) d.push(list[i]!);
  }
  return { c, d };
}

function emptyVariant(): VariantResult {
  return { latencies: [], cpuMs: 0, decisions: { clear: 0, refer: 0, hit: 0 }, statuses: {} };
}

function ruleStatus(res: ScreeningResponse): string {
  const r = res.reasons.find((x): x is RuleReason => 'source' in x && x.source === 'rule');
  return r?.status ?? 'none';
}

/** Shares of decisions as expected for the mix; the reasons why not, if not. */
function check(mix: MixName, v: VariantResult, n: number, what: string): string[] {
  const shareOf = (d: Decision) => v.decisions[d] / n;
  const exempt = (v.statuses['exempt'] ?? 0) / n;
  const pctOf = (d: Decision) => share(v.decisions[d], n);
  const pctExempt = share(v.statuses['exempt'] ?? 0, n);
  const out: string[] = [];
  const need = (ok: boolean, text: string) => {
    if (!ok) out.push(`${MIXES[mix].label}, ${what}: ${text}`);
  };
  if (mix === 'a') need(shareOf('clear') >= 0.99 && exempt >= 0.99, `clear ${pctOf('clear')}, exempt ${pctExempt} (expected ≥ 99 % each)`);
  if (mix === 'b') need(shareOf('clear') >= 0.97 && exempt >= 0.97, `clear ${pctOf('clear')}, exempt ${pctExempt} (expected ≥ 97 % each)`);
  if (mix === 'c') {
    // Every man of the scope without an exemption is a hit, unless a holder of the same (or nearly the
    // same) name and date of birth stands in for him: refer as exemption-unconfirmed (R3), or clear as
    // exempt (R1). Anything else — no rule reason, scope unclear — would be a regression; so would a
    // collapse of the hits. How many namesakes there are depends on the number of holders: reported.
    const st = (k: string) => v.statuses[k] ?? 0;
    const other = n - st('in-scope') - st('exemption-unconfirmed') - st('exempt');
    need(
      shareOf('hit') >= 0.25 && other === 0 && st('in-scope') === v.decisions.hit && st('exemption-unconfirmed') === v.decisions.refer && st('exempt') === v.decisions.clear,
      `hit ${pctOf('hit')}; ${other} decided by another rule status than in-scope / exemption-unconfirmed / exempt (expected ≥ 25 % hit, every other decision a namesake's exemption)`,
    );
  }
  if (mix === 'd') need(shareOf('clear') >= 0.99, `clear ${pctOf('clear')} (expected ≥ 99 %)`);
  return out;
}

async function screenMixes(
  ctx: BenchContext,
  at: Date,
  store: SqliteReplicaStore,
  mixes: Record<MixName, Record<string, string>[]>,
  warm: Record<string, string>[],
): Promise<{ results: MixResult[]; failures: string[] }> {
  const parsed = await store.rules();
  const paths: Record<VariantName, ReplicaStore> = {
    // The same object shape for all three paths: each delegates to the store through its prototype.
    rule: Object.create(store) as ReplicaStore,
    cached: Object.assign(Object.create(store) as ReplicaStore, { rules: async () => parsed }),
    baseline: Object.assign(Object.create(store) as ReplicaStore, { rules: async () => [] }),
  };
  const asOf = new Date().toISOString();
  const services = Object.fromEntries(
    VARIANTS.map((v) => [
      v,
      new ScreeningService({
        store: paths[v],
        matcher: defaultMatcher,
        freshness: async () => ({ replicaSeq: 1, registerSeq: 1, dataAsOf: asOf, lagSeconds: 0 }),
        timeZone: RULES_TIME_ZONE,
        // One crossing instant for the whole run: a run across midnight in the checkpoint's zone would
        // otherwise judge ages on two days (a traveller chosen aged 60 turns 61 mid-run).
        now: () => at,
      }),
    ]),
  ) as Record<VariantName, ScreeningService>;

  // Warm-up: JIT, the matcher's name-form cache, SQLite's page cache; travellers of their own.
  for (const body of warm) {
    for (const v of VARIANTS) await services[v].screen(body, REQUESTER);
    await turn();
  }

  const results: MixResult[] = [];
  const failures: string[] = [];
  for (const mix of Object.keys(MIXES) as MixName[]) {
    const travellers = mixes[mix];
    ctx.log(`    ${MIXES[mix].label}: ${num(travellers.length)} travellers × ${VARIANTS.length} paths…`);
    const result: MixResult = { mix, screened: travellers.length, variants: { rule: emptyVariant(), cached: emptyVariant(), baseline: emptyVariant() }, pathDisagreements: 0 };
    for (const [i, body] of travellers.entries()) {
      await turn();
      const decided: Partial<Record<VariantName, Decision>> = {};
      for (let k = 0; k < VARIANTS.length; k++) {
        const v = VARIANTS[(i + k) % VARIANTS.length]!;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const res = await services[v].screen(body, REQUESTER);
        const elapsed = performance.now() - t0;
        const cpu = process.cpuUsage(c0);
        const out = result.variants[v];
        out.latencies.push(elapsed);
        out.cpuMs += (cpu.user + cpu.system) / 1000;
        out.decisions[res.decision]++;
        const status = ruleStatus(res);
        out.statuses[status] = (out.statuses[status] ?? 0) + 1;
        decided[v] = res.decision;
      }
      if (decided.rule !== decided.cached) result.pathDisagreements++;
    }
    const n = travellers.length;
    failures.push(...check(mix, result.variants.rule, n, 'with the rule'));
    const base = result.variants.baseline;
    if (base.decisions.clear !== n) failures.push(`${MIXES[mix].label}, baseline: ${n - base.decisions.clear} of ${n} not clear (the state holds no restrictions: all must be clear)`);
    if (result.pathDisagreements) failures.push(`${MIXES[mix].label}: ${result.pathDisagreements} travellers decided differently with the rules read per screening and read once`);
    const rv = result.variants.rule;
    ctx.log(
      `      rule: p50 ${ms(percentile(rv.latencies, 50), 2)}, p99 ${ms(percentile(rv.latencies, 99), 2)}, ${decisionsText(rv, n)}; ` +
        `baseline: p50 ${ms(percentile(base.latencies, 50), 2)}, p99 ${ms(percentile(base.latencies, 99), 2)}`,
    );
    results.push(result);
  }
  return { results, failures };
}

function rulesCallMicros(store: SqliteReplicaStore): Promise<number> {
  return (async () => {
    for (let i = 0; i < 2000; i++) await store.rules();
    const n = 20_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await store.rules();
    return ((performance.now() - t0) * 1000) / n;
  })();
}

const fileSize = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export async function measureRules(ctx: BenchContext, options: RulesOptions): Promise<RulesResult> {
  const started = performance.now();
  // Every line says how long the section has run: a 5 M state takes a while.
  const log = (line: string) => ctx.log(`${line} [${secs((performance.now() - started) / 1000, 0)}]`);
  const runs: RulesRun[] = [];
  for (const holders of options.sizes) {
    // Full runs (400 k holders and up) screen 2,000 travellers per mix; small states (the smoke run) fewer.
    const perMix = Math.max(100, Math.min(2000, Math.floor(holders / 200)));
    const warmUp = Math.min(500, perMix);
    const at = new Date();
    const crossingDate = localDate(at, RULES_TIME_ZONE);
    log(`\n-- category-wide rule with ${count(holders)} exemption holders (crossing date ${crossingDate}, ${RULES_TIME_ZONE})`);
    log('  rules: building the replica state through the bootstrap writer…');
    const built = await buildState(ctx, holders, options.seed, crossingDate, perMix * 2 + warmUp);
    const statePath = join(built.dir, 'state.db');
    const stateBytes = fileSize(statePath) + fileSize(statePath + '-wal');
    const rssAfterBuild = memoryOf(process.pid)?.rss ?? NaN;
    log(`    ${num(built.records)} records (from ${num(built.scanned)} persons of the register) in ${secs(built.buildSeconds)} (indexes ${secs(built.finishSeconds)}); state.db ${mb(stateBytes)}; RSS ${mib(rssAfterBuild)}`);
    try {
      const r = seededRandom(options.seed ^ 0xa11);
      const shuffled = [...built.sample];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = Math.floor(r() * (i + 1));
        [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
      }
      const warmHolders = shuffled.slice(0, warmUp);
      const aHolders = shuffled.slice(warmUp, warmUp + perMix);
      const bHolders = shuffled.slice(warmUp + perMix, warmUp + 2 * perMix);
      const others = strangers(options.seed, built.scanned, perMix + warmUp, crossingDate);
      const mixes: Record<MixName, Record<string, string>[]> = {
        a: aHolders.map(byDocument),
        b: bHolders.map(byName),
        c: others.c.slice(warmUp),
        d: others.d.slice(warmUp),
      };
      const warm = warmHolders.flatMap((p, i) => [i % 2 ? byName(p) : byDocument(p), others.c[i], others.d[i]]).filter((x): x is Record<string, string> => !!x);
      log(`  rules: screening in-process (${num(warm.length)} warm-up screenings per path first)…`);
      const { results, failures } = await screenMixes({ ...ctx, log }, at, built.store, mixes, warm);
      const micros = await rulesCallMicros(built.store);
      const mem = memoryOf(process.pid);
      runs.push({
        holders,
        scanned: built.scanned,
        crossingDate,
        buildSeconds: built.buildSeconds,
        finishSeconds: built.finishSeconds,
        records: built.records,
        stateBytes,
        rssAfterBuild,
        rssAfterScreening: mem?.rss ?? NaN,
        peakRss: mem?.hwm ?? NaN,
        rulesCallMicros: micros,
        mixes: results,
        failures,
      });
      log(`    store.rules() alone: ${num(micros, 1)} µs per call; peak RSS of the bench process ${mib(mem?.hwm ?? NaN)}`);
      for (const f of failures) log(`    REGRESSION: ${f}`);
    } finally {
      await built.store.close();
      ctx.resources.removeDir(built.dir);
    }
  }
  return { runs };
}

// ---------------------------------------------------------------------------------------------
// The report.

function decisionsText(v: VariantResult, n: number): string {
  return (['clear', 'refer', 'hit'] as const)
    .filter((d) => v.decisions[d] > 0)
    .map((d) => `${d} ${share(v.decisions[d], n)}`)
    .join(', ');
}

/** A share with one decimal where it matters (99.9 % is not 100 %). */
function share(k: number, n: number): string {
  const p = (100 * k) / n;
  return `${p > 99 && p < 100 ? p.toFixed(1) : p < 1 && p > 0 ? p.toFixed(1) : num(p)} %`;
}

function statusesText(v: VariantResult): string {
  return Object.entries(v.statuses)
    .sort((a, b) => b[1] - a[1])
    .map(([s, k]) => `${s} ${num(k)}`)
    .join(', ');
}

const perSecond = (v: VariantResult) => v.latencies.length / (v.latencies.reduce((a, b) => a + b, 0) / 1000);
const p = (v: VariantResult, q: number) => percentile(v.latencies, q);
const lat = (v: VariantResult) => `${num(p(v, 50), 2)} / ${num(p(v, 99), 2)} ms`;

export function rulesBlock(result: RulesResult): Block {
  const summary: Row[] = [];
  const build: Row[] = [];
  const notes: string[] = [];
  for (const run of result.runs) {
    build.push({
      'exemption holders': num(run.holders),
      'records (+ 1 rule)': num(run.records),
      'register persons walked': num(run.scanned),
      'build': secs(run.buildSeconds),
      'of which indexes': secs(run.finishSeconds),
      'holders/s': num(run.holders / run.buildSeconds),
      'state.db': mb(run.stateBytes),
      'per M holders': mb(run.stateBytes / (run.holders / 1e6)),
      'RSS after build / after screening': `${mib(run.rssAfterBuild)} / ${mib(run.rssAfterScreening)}`,
      'peak RSS (VmHWM)': mib(run.peakRss),
      'store.rules() alone': `${num(run.rulesCallMicros, 1)} µs`,
    });
    for (const m of run.mixes) {
      const { rule, cached, baseline } = m.variants;
      const failed = run.failures.some((f) => f.startsWith(MIXES[m.mix].label));
      summary.push({
        'exemption holders': num(run.holders),
        'travellers': MIXES[m.mix].label,
        'screened': num(m.screened),
        'decisions with the rule': decisionsText(rule, m.screened),
        'rule reasons': statusesText(rule),
        'expected': MIXES[m.mix].expected,
        'verdict': verdict(!failed),
        'with the rule: p50 / p99': lat(rule),
        'screenings/s': num(perSecond(rule)),
        'rules read once: p50 / p99, /s': `${lat(cached)}, ${num(perSecond(cached))}`,
        'baseline, no rule: p50 / p99': lat(baseline),
        'baseline /s': num(perSecond(baseline)),
        'rule ÷ baseline (/s)': pct(perSecond(rule) / perSecond(baseline)),
        'rule cost (Δ p50)': `${num((p(rule, 50) - p(baseline, 50)) * 1000)} µs`,
        'CPU per screening: rule / baseline': `${num(rule.cpuMs / m.screened, 2)} / ${num(baseline.cpuMs / m.screened, 2)} ms`,
      });
    }
    // What the rule costs, over all four mixes: differences of the paths' medians (robust to the shared
    // machine's spikes, and they add up: rule − baseline = [rule − read once] + [read once − baseline]).
    const all = (v: VariantName) => run.mixes.flatMap((m) => m.variants[v].latencies);
    const screened = run.mixes.reduce((s, m) => s + m.screened, 0);
    const cpu = (v: VariantName) => run.mixes.reduce((s, m) => s + m.variants[v].cpuMs, 0) / screened;
    const [rule, cached, base] = [percentile(all('rule'), 50), percentile(all('cached'), 50), percentile(all('baseline'), 50)];
    const us = (x: number) => `${num(x * 1000)} µs`;
    notes.push(
      `What the rule costs at ${num(run.holders)} exemption holders, over all ${num(screened)} travellers: **${us(rule - base)} per screening at the median** ` +
        `(p50 ${ms(rule, 3)} with the rule, ${ms(base, 3)} without, ${pct(rule / base - 1)} more; mean CPU time ${ms(cpu('rule'), 3)} vs ${ms(cpu('baseline'), 3)}). ` +
        `Of it, reading \`store.rules()\` on every screening is ${us(rule - cached)} (${num(run.rulesCallMicros, 1)} µs per call when timed alone in a loop: the store keeps the parsed rules between its own writes, so this is within the noise of the comparison), ` +
        `and the rule's logic — scope, the holder's exemptions, the extra reason in the answer and in the audit — ${us(cached - base)}.`,
    );
    const c = run.mixes.find((m) => m.mix === 'c');
    if (c) {
      const st = c.variants.rule.statuses;
      const unconfirmed = st['exemption-unconfirmed'] ?? 0;
      const exempt = st['exempt'] ?? 0;
      if (unconfirmed || exempt) {
        notes.push(
          `Mix (c) at ${num(run.holders)} holders — men of the scope holding no exemption, each presenting his own passport: ${num(unconfirmed)} of ${num(c.screened)} (${share(unconfirmed, c.screened)}) were referred as \`exemption-unconfirmed\` ` +
            '(R3: a possible match — a holder of a similar name born a typing slip away — holds an exemption)' +
            (exempt
              ? `, and **${num(exempt)} (${share(exempt, c.screened)}) were cleared as \`exempt\`** (R1: a holder of the same surname, given name and date of birth scores as a strong match; the traveller's passport number, which is not that holder's, does not count against it)`
              : '') +
            '. They are namesakes, so their share grows with the number of holders and with how common the name is.',
        );
      }
    }
    for (const f of run.failures) notes.push(`**Regression** at ${num(run.holders)} holders — ${f}.`);
  }
  if (result.runs.length > 1) {
    const c = (run: RulesRun) => run.mixes.find((m) => m.mix === 'c');
    notes.push(
      'Scaling: ' +
        result.runs
          .map((run) => {
            const all = run.mixes.flatMap((m) => m.variants.rule.latencies);
            const cm = c(run);
            const namesakes = cm ? (cm.variants.rule.statuses['exemption-unconfirmed'] ?? 0) + (cm.variants.rule.statuses['exempt'] ?? 0) : 0;
            return `${count(run.holders)} holders: built at ${num(run.holders / run.buildSeconds)}/s, state.db ${mb(run.stateBytes)}, screening p50 ${ms(percentile(all, 50), 2)} with the rule, (c) decided by a namesake ${cm ? share(namesakes, cm.screened) : '—'}`;
          })
          .join('; ') +
        '.',
    );
  }
  return {
    title: 'Category-wide rule with exemptions',
    intro:
      'One category-wide rule (`scope: { nationalities: [RUS], sex: M, ageFrom: 18, ageTo: 60 }`, exempting `health, student, family, occupation`) and N exemption holders: ' +
      'men aged 18–60 taken in order from the synthetic register (src/demo/synthetic.ts: realistic name frequencies, passports and internal passports), each with one `exemption` valid on the crossing date ' +
      '(category by age: students among the young, family and occupation later; granted up to 3 years before, ending 1 month to 3 years after). ' +
      'The state is built in-process through `SqliteReplicaStore`\'s bootstrap writer, 10,000 records per transaction (no register, no transport: those are the bootstrap section; the build time includes generating the persons) and holds nothing else — no restrictions, so every decision is the rule\'s. ' +
      'Travellers are screened one at a time through `ScreeningService.screen` (parse, match, restrictions, rules, decision, audit write — what a checkpoint\'s request does, without HTTP), ' +
      `crossing date in ${RULES_TIME_ZONE}, one instant for the whole run: (a) holders by TD3 MRZ (by typed document number for the ~3 % with an internal passport only), (b) holders by name and date of birth only, ` +
      '(c) men of the scope without an exemption — persons of the same register beyond the range the state was built from, by MRZ, (d) out of scope: women, men aged 61+ and men on a Kazakh passport, by MRZ. ' +
      'Each traveller is screened by three paths over the same store, interleaved (the first path rotates), after a warm-up of other travellers: **the rule** as shipped (`store.rules()` read per screening); the rule **read once** (handed over parsed: isolates `store.rules()`); ' +
      'and the **baseline: no rule** (`rules()` returns `[]`: list-only screening). Throughput is sequential: screenings ÷ the sum of their latencies. The expected decision shares are asserted; a miss fails the run. ' +
      'Run alone with `--only rules --persons 1`: run.ts builds a register for every `--persons` size before any section, and this section does not use one.',
    tables: ['Screening:', table(summary), 'The replica state:', table(build)],
    notes,
  };
}
