/**
 * `npm run bench:matching` — quality on the development set beside two baselines, then screening
 * latency and index cost at scale; prints markdown and writes docs/benchmarks-matching.md.
 *
 * Flags: --sizes 100000,1000000,10000000 (default)  --queries 3000  --quality-only  --scale-only
 *        --show-misses N (print erx's misses per quality case)  --no-write (do not touch the docs)
 *        --manifests N (also N 300-traveller carriers' manifests per size, in-process: manifestsAtScale.ts)
 * Results below the HISTORY_MARKER line of the written file (earlier runs, kept for comparison) stay.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg, totalmem } from 'node:os';
import { createMatcher, MATCHER_VERSION } from '../../src/matching/index.js';
import { ROOT } from './common.js';
import { crossLanguageBench, qualityBench } from './quality.js';
import { scaleBench, WARM_UP } from './scale.js';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const has = (name: string) => process.argv.includes(`--${name}`);

/** In docs/benchmarks-matching.md, everything from this line on is kept when the file is rewritten. */
const HISTORY_MARKER = '<!-- earlier results: kept by bench:matching -->';

const sizes = (flag('sizes') ?? '100000,1000000,10000000').split(',').map((s) => Number(s.replace(/_/g, ''))).filter((n) => n > 0);
const queries = Number(flag('queries') ?? 3000);
const matcher = createMatcher();
const sections: string[] = [
  '# Matching benchmarks',
  '',
  `Written by \`npm run bench:matching\` (${new Date().toISOString().slice(0, 10)}; matcher ${MATCHER_VERSION}; ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}). See docs/matching.md for how the matcher works.`,
];

if (!has('scale-only')) {
  console.log('## Quality on the development set\n');
  const q = await qualityBench({ showMisses: Number(flag('show-misses') ?? 0), matcher });
  sections.push('', '## Quality on the development set (../shared/data/names/dev)', '', 'Share of decisions per case; every query screened by the real `ScreeningService` over a real replica.', '', q.markdown);
  console.log('\n## Names across languages\n');
  const x = await crossLanguageBench({ showMisses: Number(flag('show-misses') ?? 0), matcher });
  sections.push(
    '',
    '## Names across languages (test/matching/fixtures/cross-language)',
    '',
    'A person held by a Russian, Ukrainian or Belarusian register; the traveller\'s document written in another of Russian, Ukrainian, Belarusian or Polish, ' +
      'date of birth exact (built by bench/matching/crossLanguageSet.ts from the development set\'s surnames and the given-name equivalence list; see docs/matching.md). ' +
      'Cases: `xlang` the same person; `xlang-sibling` same surname and date, another given name of the same sex; `xlang-stranger` the equivalent given name with another surname and date; ' +
      '`xlang-other-sex` the woman\'s forms of a man\'s names (or the reverse), same date.',
    '',
    x.markdown,
  );
}
if (!has('quality-only')) {
  console.log('\n## Screening at scale');
  const s = await scaleBench({ sizes, queries, matcher, manifests: Number(flag('manifests') ?? 0) });
  console.log('\n' + s.markdown);
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  sections.push(
    '',
    '## Screening at scale (synthetic register, src/demo/synthetic.ts)',
    '',
    `${queries} screenings per size after ${WARM_UP.toLocaleString('en')} warm-up screenings of other travellers (a replica that has run a while: its state file's pages mapped, its memos filled), in-process: 50 % listed persons spelled in another scheme, ` +
      '10 % with day and month swapped, 10 % with a typing slip in the day, 10 % as a TD3 MRZ, 20 % strangers. ' +
      '"match" is the matcher alone (index lookups and scoring) over the replica store, its reads in one read transaction as a screening makes them; ' +
      '"CPU time" is that of the same screenings (process.cpuUsage), which other processes on the machine inflate far less than wall-clock time; ' +
      '"screening" adds restrictions, the decision and the synchronous audit write. The last column is the load average when each size\'s screenings ended.',
    '',
    s.markdown,
    '',
    `Load average (1, 5, 15 min) at the end of the run: ${load} on ${cpus().length} cores. Wall-clock percentiles include waiting for the CPU when other work shares the machine.`,
  );
}
if (!has('no-write')) {
  const path = join(ROOT, 'docs/benchmarks-matching.md');
  // Earlier results kept by hand below the marker survive a new run.
  const previous = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const kept = previous.indexOf(HISTORY_MARKER);
  writeFileSync(path, sections.join('\n') + '\n' + (kept >= 0 ? '\n' + previous.slice(kept) : ''));
  console.log(`\nwritten to ${path}`);
}
