/**
 * What makes the slowest screenings slow (issue #20: the 10 M p99). Builds a synthetic replica as the
 * scale benchmark does, warms up, then screens new travellers with the matcher alone and records per
 * screening: wall-clock time, time spent in the candidate reads (SQLite rows and their decoding),
 * candidates read, name keys asked per stage, stages read, garbage-collector pauses that overlap it
 * (PerformanceObserver 'gc' entries), and the matcher's work counters (word comparisons not in the memo,
 * words read in all schemes for the first time). Prints the slowest 1 % with these features beside the
 * rest, and the totals.
 *
 *   node --max-old-space-size=8192 dist/bench/matching/tailProfile.js --size 1000000 [--queries 3000]
 *        [--rounds 2] [--compare /other/dist/src/matching/index.js]
 *
 * With --compare, a second matcher build (another checkout's dist) screens the same travellers over the
 * same replica, the two alternating which goes first, so both meet the same load.
 */
import { PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { createMatcher, type CandidateSource, type ListedPerson, type Matcher } from '../../src/matching/index.js';
import { snapshotCounters, workCounters, type WorkCounters } from '../../src/matching/workCounters.js';
import { buildReplica, percentile } from './common.js';
import { probes } from './scale.js';
import { generatePersons } from '../../src/demo/synthetic.js';
import type { PersonInput } from '../../src/register/schemas.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const size = Number(flag('size') ?? 1_000_000);
const queries = Number(flag('queries') ?? 3000);
const rounds = Number(flag('rounds') ?? 1);
const comparePath = flag('compare');
/** Sample allocations (collected ones too) during the measured screenings and print the top sites. */
const heapSample = process.argv.includes('--heap-sample');
/** Write every sample (JSON) to this file, for a closer look. */
const dumpPath = flag('dump');
const WARM_UP = 2000;

interface Sample {
  ms: number;
  readMs: number;
  candidates: number;
  /** Name keys per stage read, in order. */
  stageKeys: number[];
  /** CPU time of the process over the screening (all threads: GC helpers too); far below wall when the CPU was taken by others. */
  cpuMs: number;
  gcMs: number;
  gcCount: number;
  /** The kinds of the collections overlapping it: s scavenge, M mark-compact, i incremental marking, w weak callbacks. */
  gcKinds: string;
  counters: WorkCounters;
  kind: string;
  /** The matcher's counters are those of this module's build; a compared build counts nothing here. */
  start: number;
  end: number;
}

/** Records reads, their time and the keys per stage, around a candidate source. */
function recording(source: CandidateSource) {
  const r = {
    readMs: 0,
    candidates: 0,
    stageKeys: [] as number[],
    reset() {
      r.readMs = 0;
      r.candidates = 0;
      r.stageKeys = [];
    },
    source: {
      async byDocument(number: string, country?: string) {
        const t = performance.now();
        const out = await source.byDocument(number, country);
        r.readMs += performance.now() - t;
        r.candidates += out.length;
        return out;
      },
      async byNameKeys(keys: string[], limit: number) {
        const t = performance.now();
        const out: ListedPerson[] = await source.byNameKeys(keys, limit);
        r.readMs += performance.now() - t;
        r.candidates += out.length;
        r.stageKeys.push(keys.length);
        return out;
      },
    } satisfies CandidateSource,
  };
  return r;
}

const GC_KINDS: Record<number, string> = { 1: 's', 4: 'M', 8: 'i', 16: 'w' };
const gcs: { start: number; end: number; kind: string }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    const kind = ((e as PerformanceEntry & { detail?: { kind?: number } }).detail)?.kind ?? 0;
    gcs.push({ start: e.startTime, end: e.startTime + e.duration, kind: GC_KINDS[kind] ?? String(kind) });
  }
}).observe({ entryTypes: ['gc'] });

function diff(a: WorkCounters, b: WorkCounters): WorkCounters {
  return { wordComparisons: b.wordComparisons - a.wordComparisons, formsComputed: b.formsComputed - a.formsComputed, latinFormsComputed: b.latinFormsComputed - a.latinFormsComputed };
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);
const f2 = (x: number) => x.toFixed(2);

function describe(name: string, samples: Sample[]): void {
  // Attribute GC pauses (the observer reports them after the fact) to the screenings they overlap.
  for (const s of samples) {
    s.gcMs = 0;
    s.gcCount = 0;
    s.gcKinds = '';
    for (const g of gcs) {
      const overlap = Math.min(s.end, g.end) - Math.max(s.start, g.start);
      if (overlap > 0) {
        s.gcMs += overlap;
        s.gcCount++;
        s.gcKinds += g.kind;
      }
    }
  }
  const sorted = [...samples].sort((a, b) => a.ms - b.ms);
  const ms = sorted.map((s) => s.ms);
  const tailFrom = Math.ceil(0.99 * sorted.length) - 1;
  const tail = sorted.slice(tailFrom);
  const rest = sorted.slice(0, tailFrom);
  const row = (label: string, xs: Sample[]) =>
    `${label.padEnd(10)} n ${String(xs.length).padStart(5)}  wall ${f2(mean(xs.map((s) => s.ms)))}  cpu ${f2(mean(xs.map((s) => s.cpuMs)))}  reads ${f2(mean(xs.map((s) => s.readMs)))}  gc ${f2(mean(xs.map((s) => s.gcMs)))} (${f2(mean(xs.map((s) => (s.gcCount > 0 ? 1 : 0))) * 100)} % with one)  ` +
    `candidates ${f2(mean(xs.map((s) => s.candidates)))}  stages ${f2(mean(xs.map((s) => s.stageKeys.length)))}  keys ${f2(mean(xs.map((s) => s.stageKeys.reduce((a, b) => a + b, 0))))}  ` +
    `word comparisons ${f2(mean(xs.map((s) => s.counters.wordComparisons)))}  forms ${f2(mean(xs.map((s) => s.counters.formsComputed)))}  latin forms ${f2(mean(xs.map((s) => s.counters.latinFormsComputed)))}`;
  console.log(`\n${name}: p50 ${f2(percentile(ms, 0.5))} ms, p90 ${f2(percentile(ms, 0.9))} ms, p99 ${f2(percentile(ms, 0.99))} ms, max ${f2(ms[ms.length - 1]!)} ms; load ${loadavg()[0]!.toFixed(2)}`);
  console.log('  means per screening (ms, counts):');
  console.log('  ' + row('slowest 1%', tail));
  console.log('  ' + row('the rest', rest));
  console.log('  ' + row('all', sorted));
  const totalGc = samples.reduce((s, x) => s + x.gcMs, 0);
  const totalWall = samples.reduce((s, x) => s + x.ms, 0);
  console.log(`  totals: wall ${f2(totalWall)} ms, of which reads ${f2(samples.reduce((s, x) => s + x.readMs, 0))} ms, GC overlapping ${f2(totalGc)} ms; word comparisons ${samples.reduce((s, x) => s + x.counters.wordComparisons, 0)}, forms ${samples.reduce((s, x) => s + x.counters.formsComputed, 0)}, latin forms ${samples.reduce((s, x) => s + x.counters.latinFormsComputed, 0)}`);
  const cpu = sorted.map((s) => s.cpuMs).sort((a, b) => a - b);
  console.log(`  CPU p50 ${f2(percentile(cpu, 0.5))} ms, p99 ${f2(percentile(cpu, 0.99))} ms; GC pauses in the run: ${gcs.length}, of which mark-compact ${gcs.filter((g) => g.kind === 'M').length}, longest ${f2(Math.max(0, ...gcs.map((g) => g.end - g.start)))} ms`);
  console.log('  the slowest 1 %: wall ms | cpu ms | reads ms | gc ms (n, kinds) | candidates | keys per stage | word cmp | forms | latin forms | kind');
  for (const s of tail.reverse()) {
    console.log(`    ${f2(s.ms).padStart(6)} | ${f2(s.cpuMs).padStart(5)} | ${f2(s.readMs).padStart(5)} | ${f2(s.gcMs)} (${s.gcCount}${s.gcKinds}) | ${String(s.candidates).padStart(3)} | ${s.stageKeys.join(',').padEnd(14)} | ${String(s.counters.wordComparisons).padStart(3)} | ${String(s.counters.formsComputed).padStart(3)} | ${String(s.counters.latinFormsComputed).padStart(2)} | ${s.kind}`);
  }
}

interface SamplingNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingNode[];
}

/** Bytes allocated per screening by function (self), the top twenty. */
function printAllocations(head: SamplingNode, screenings: number): void {
  const by = new Map<string, number>();
  let total = 0;
  const walk = (n: SamplingNode) => {
    const f = n.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/dist\//, '')}:${f.lineNumber + 1}`;
    by.set(key, (by.get(key) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(head);
  console.log(`\nallocations sampled: ${(total / screenings / 1024).toFixed(1)} KiB per screening; top sites (KiB per screening):`);
  for (const [k, v] of [...by].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${(v / screenings / 1024).toFixed(2).padStart(7)}  ${k}`);
}

const matchers: { name: string; matcher: Matcher }[] = [{ name: 'this build', matcher: createMatcher() }];
if (comparePath) {
  const other = (await import(comparePath)) as { createMatcher: () => Matcher };
  matchers.push({ name: `compared (${comparePath})`, matcher: other.createMatcher() });
}

console.log(`building a replica of ${size.toLocaleString('en')} persons…`);
const t0 = performance.now();
const persons = (function* () {
  for (const p of generatePersons({ count: size })) yield p as unknown as PersonInput;
})();
const replica = await buildReplica(persons, matchers[0]!.matcher, `erx-tail-${size}-`);
console.log(`built in ${((performance.now() - t0) / 1000).toFixed(0)} s; load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

const rec = recording(replica.store);
console.log(`warm-up starts at ${performance.now().toFixed(0)} ms`);
for (const m of matchers) for (const p of probes(size, WARM_UP, size + 1)) await m.matcher.match(p.traveller, replica.store);

for (let round = 0; round < rounds; round++) {
  // --same-travellers: every round screens the first round's travellers again (memos all warm).
  const list = probes(size, queries, size + 100 + (process.argv.includes('--same-travellers') ? 0 : round));
  console.log(`round ${round + 1} starts at ${performance.now().toFixed(0)} ms`);
  const session = heapSample ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true } as object);
  }
  const samples = matchers.map(() => [] as Sample[]);
  for (const [i, p] of list.entries()) {
    const kind = p.personId ? ('mrz' in p.request ? 'listed, MRZ' : 'listed') : 'stranger';
    // Alternate which build goes first: the first meets colder caches below the matcher (SQLite pages).
    const order = i % 2 === 0 ? matchers.map((_, k) => k) : matchers.map((_, k) => matchers.length - 1 - k);
    for (const k of order) {
      rec.reset();
      const before = snapshotCounters();
      const cpu = process.cpuUsage();
      const start = performance.now();
      await matchers[k]!.matcher.match(p.traveller, rec.source);
      const end = performance.now();
      const used = process.cpuUsage(cpu);
      samples[k]!.push({ ms: end - start, cpuMs: (used.user + used.system) / 1000, readMs: rec.readMs, candidates: rec.candidates, stageKeys: rec.stageKeys, gcMs: 0, gcCount: 0, gcKinds: '', counters: diff(before, workCounters), kind, start, end });
    }
  }
  if (session) {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as { profile: { head: SamplingNode } };
    printAllocations(profile.head, list.length * matchers.length);
    session.disconnect();
  }
  // Let the observer deliver the last entries.
  await new Promise((r) => setTimeout(r, 50));
  for (const [k, m] of matchers.entries()) describe(`round ${round + 1}, ${m.name}`, samples[k]!);
  if (dumpPath) writeFileSync(`${dumpPath}.${round + 1}.json`, JSON.stringify(samples));
}
await replica.close();
