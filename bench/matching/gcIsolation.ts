/**
 * Which part of a screening makes the garbage collector's minor pauses long (issue #20). A scavenge
 * costs what it copies: objects still alive, or kept alive by the old generation. One part of a
 * screening run alone, again and again over the same travellers (every memo warm, so nothing should
 * stay), shows whether that part leaves objects the scavenger must copy and promote.
 *
 *   node dist/bench/matching/gcIsolation.js <part> [--size 100000] [--rounds 20]
 *   part: plan (the query plan's four stages), names (surname check and name comparison over the
 *         candidates), dob (date comparison over the candidates), reads (the replica's name-key reads of
 *         the first two stages), matcher (the whole matcher over the candidates recorded once, no reads),
 *         all (the whole matcher over the replica)
 *
 * Prints the scavenges of the measured loop (count, median and longest pause) and how much the old
 * generation grew per scavenge: near zero when the part leaves nothing behind.
 */
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';
import { loadavg } from 'node:os';
import { createMatcher, type CandidateSource, type ListedPerson } from '../../src/matching/index.js';
import { queryPlan } from '../../src/matching/candidateKeys.js';
import { compareNames, surnameUnrelated, travellerWords } from '../../src/matching/names.js';
import { compareDob } from '../../src/matching/dob.js';
import { generatePersons } from '../../src/demo/synthetic.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { buildReplica, percentile } from './common.js';
import { probes } from './scale.js';

const PARTS = ['plan', 'names', 'dob', 'reads', 'matcher', 'all'] as const;
type Part = (typeof PARTS)[number];

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const part = process.argv[2] as Part;
if (!PARTS.includes(part)) {
  console.error(`Name the part to run alone, one of: ${PARTS.join(', ')} (got ${JSON.stringify(process.argv[2] ?? '')}).`);
  process.exit(2);
}
const size = Number(flag('size') ?? 100_000);
const rounds = Number(flag('rounds') ?? 20);

const matcher = createMatcher();
const replica = await buildReplica(
  (function* () {
    for (const p of generatePersons({ count: size })) yield p as unknown as PersonInput;
  })(),
  matcher,
  `erx-gc-${size}-`,
);
const list = probes(size, 3000, 7);
// The candidates of every traveller, read once through the real matcher.
const recorded: ListedPerson[][][] = [];
for (const p of list) {
  const calls: ListedPerson[][] = [];
  const source: CandidateSource = {
    byDocument: async (n, c) => {
      const r = await replica.store.byDocument(n, c);
      calls.push(r);
      return r;
    },
    byNameKeys: async (k, l) => {
      const r = await replica.store.byNameKeys(k, l);
      calls.push(r);
      return r;
    },
  };
  await matcher.match(p.traveller, source);
  recorded.push(calls);
}

async function once(i: number): Promise<void> {
  const t = list[i]!.traveller;
  switch (part) {
    case 'plan': {
      const plan = queryPlan(t);
      void [plan.surname, plan.given, plan.givenOtherClass, plan.years];
      return;
    }
    case 'names': {
      const words = travellerWords(t);
      for (const found of recorded[i]!) for (const p of found) if (!surnameUnrelated(words, p)) compareNames(words, p);
      return;
    }
    case 'dob':
      for (const found of recorded[i]!) for (const p of found) compareDob(t.dateOfBirth, p.dateOfBirth);
      return;
    case 'reads': {
      const plan = queryPlan(t);
      await replica.store.byNameKeys(plan.surname, 300);
      await replica.store.byNameKeys(plan.given, 300);
      return;
    }
    case 'matcher': {
      const calls = recorded[i]!;
      let k = 0;
      await matcher.match(t, { byDocument: async () => calls[k++] ?? [], byNameKeys: async () => calls[k++] ?? [] });
      return;
    }
    case 'all':
      await matcher.match(t, replica.store);
      return;
  }
}

// Warm every memo and the JIT first.
for (let i = 0; i < list.length; i++) await once(i);

const scavenges: number[] = [];
let markCompacts = 0;
const observer = new PerformanceObserver((entries) => {
  for (const e of entries.getEntries()) {
    const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
    if (kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(e.duration);
    else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) markCompacts++;
  }
});
observer.observe({ entryTypes: ['gc'] });
const oldSpace = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
const oldBefore = oldSpace();
for (let r = 0; r < rounds; r++) for (let i = 0; i < list.length; i++) await once(i);
const oldAfter = oldSpace();
await new Promise((resolve) => setTimeout(resolve, 50));
observer.disconnect();
await replica.close();

const sorted = [...scavenges].sort((a, b) => a - b);
const growth = (oldAfter - oldBefore) / 1024 / 1024;
console.log(
  `${part}: ${rounds} × ${list.length} runs, ${sorted.length} scavenges, pause median ${percentile(sorted, 0.5).toFixed(2)} ms, longest ${(sorted[sorted.length - 1] ?? NaN).toFixed(2)} ms; ` +
    `old generation ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} MB (${markCompacts === 0 && sorted.length > 0 ? `${(growth / sorted.length).toFixed(2)} MB per scavenge` : `${markCompacts} mark-compacts in between: growth not comparable`}); load ${loadavg()[0]!.toFixed(2)}`,
);
