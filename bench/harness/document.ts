/**
 * docs/benchmarks.md holds two profiles — the full run and the quick (CI smoke) run — each made of one
 * block per section. A run rewrites only the blocks of the sections it measured, in its own profile,
 * so `--quick` never overwrites the documented full run, and `--only lag` leaves the other sections be.
 * Each block carries the command, date and machine it was measured with.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type Profile = 'full' | 'quick';
export const SECTION_ORDER = ['apply', 'bootstrap', 'lag', 'relief', 'http', 'manifests', 'memory', 'rules'] as const;
export type SectionName = (typeof SECTION_ORDER)[number];

const BLOCK = /<!-- bench:(full|quick):(\w+) -->\n([\s\S]*?)<!-- \/bench:\1:\2 -->\n/g;

function blocksOf(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(BLOCK)) out.set(`${m[1]}:${m[2]}`, m[3]!);
  return out;
}

/** The hand-written analysis between these markers is kept as it is across runs. */
const ANALYSIS = /<!-- analysis -->\n([\s\S]*?)<!-- \/analysis -->\n/;

export function writeDocument(path: string, profile: Profile, blocks: Partial<Record<SectionName, string>>, frame: { preamble: string; howToRun: string }): void {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const existing = blocksOf(old);
  const analysis = ANALYSIS.exec(old)?.[1] ?? '## Analysis\n\n_Written by hand after a full run; the bench keeps this section as it is._\n';
  for (const [name, text] of Object.entries(blocks)) existing.set(`${profile}:${name}`, text.endsWith('\n') ? text : text + '\n');
  const part = (p: Profile, title: string, empty: string) => {
    const present = SECTION_ORDER.filter((s) => existing.has(`${p}:${s}`));
    const body = present.length ? present.map((s) => `<!-- bench:${p}:${s} -->\n${existing.get(`${p}:${s}`)}<!-- /bench:${p}:${s} -->\n`).join('\n') : `${empty}\n`;
    return `## ${title}\n\n${body}`;
  };
  const text = [
    frame.preamble,
    `<!-- analysis -->\n${analysis}<!-- /analysis -->\n`,
    part('full', 'Full run', '_Not run yet: `npm run bench`._'),
    part('quick', 'Quick run (the CI smoke test: tiny sizes, the figures say little)', '_Not run yet: `npm run bench -- --quick`._'),
    frame.howToRun,
  ].join('\n');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

export const PREAMBLE = `# erx benchmarks

Written by \`npm run bench\` (bench/run.ts); do not edit the measured blocks by hand — rerun instead.

Every figure stands beside a **baseline measured in the same run on the same machine**, and beside its
**target**. The bench starts real \`erx register serve\` and \`erx border serve\` processes on ephemeral
ports; the load generator and the pollers run in the bench process, on the same 2 cores as the
services they measure, which is part of every figure. Registers are synthetic
(src/demo/synthetic.ts: skewed Russian surname frequencies, ~10 % of persons with a call-up notice,
~1.5 % with a court order or bailiff ban) and loaded through the register's own operations.

| what | target | baseline beside it |
|---|---|---|
| apply rate into a replica | ≥ 50 % of the raw batched-insert rate of the same store | raw batched \`INSERT\` into bare tables of the replica's shape, same pragmas |
| bootstrap of a fresh replica, from the snapshot stream and from a replica image (SQLite) | 10 M persons in < 60 s | reading the same snapshot and discarding it |
| propagation lag, impose and lift, to 1 / 10 / 50 replicas, over HTTP and over NATS JetStream | p99 < 1 s | a bare subscriber waiting on the same commit (a long-poll; a JetStream consumer) |
| screening over HTTP at 1 M and 10 M listed persons | ≥ 10,000 screenings/s on 2 cores, p99 < 10 ms | a bare Fastify server answering a constant to the same load |
| memory of a replica | < 200 MB RSS per million persons | an empty replica |

Stores and transports are a dimension (bench/harness/deployment.ts): \`sqlite\` and \`postgres\` (the
register and every replica in PostgreSQL, each in a schema of its own); \`http\` and \`nats\` (JetStream;
it changes only how changes travel, so it adds lag rows — the other sections run over HTTP).
Another store or transport is added by implementing \`Store\` or \`Transport\` there; every section it
affects then measures it beside the same baselines.
`;

export const HOW_TO_RUN = `## How to run

\`\`\`sh
npm run bench                                  # the full run: 100 k and 1 M persons, 1/10/50 replicas (33 min on a busy 2-core machine, registers cached; building them adds ~3 min)
npm run bench -- --quick                       # the CI smoke run: 20 k persons, 1/5 replicas (~1–2 min)
npm run bench -- --persons 10000000 --only bootstrap,memory --register-cache /var/tmp/erx-bench
npm run bench -- --quick --stores sqlite,postgres --transports http   # SQLite and PostgreSQL side by side
npm run bench -- --help                        # every flag
\`\`\`

| flag | default | what |
|---|---|---|
| \`--persons LIST\` | \`100000,1000000\` | register sizes |
| \`--apply-persons LIST\` | every \`--persons\` size | the sizes the apply section runs at (applying a 10 M change log takes long) |
| \`--store-persons STORE=LIST\` | \`--persons\` | sizes for one store, e.g. \`postgres=100000,1000000\` (repeatable) |
| \`--replicas LIST\` | \`1,10,50\` | replica counts of the lag test (a store that cannot run that many replica processes — PostgreSQL's \`max_connections\` — skips the count and says why) |
| \`--duration S\` / \`--warmup S\` | \`10\` / \`3\` | seconds of screening load measured / before measuring |
| \`--connections N\` | \`10\` | concurrent connections of the load generator |
| \`--trials N\` | \`50\` | lag trials (one impose and one lift each) per replica count |
| \`--lag-persons N\` | \`2000\` | size of the lag test's register (kept small: 50 replicas share 2 cores) |
| \`--rules-persons LIST\` | \`5000000\` (quick: \`20000\`) | exemption holders beside one category-wide rule (rules section) |
| \`--only LIST\` | all | any of \`apply,bootstrap,lag,http,memory,rules\` |
| \`--stores LIST\` / \`--transports LIST\` | \`sqlite\` / \`http,nats\` | the deployment dimension, e.g. \`--stores sqlite,postgres\`; \`postgres\` uses \`ERX_BENCH_POSTGRES\` (default \`postgres://postgres@127.0.0.1:5432/test\`; a schema \`bench_…\` per register and replica, dropped at the end), \`nats\` uses \`ERX_BENCH_NATS\` (default \`nats://127.0.0.1:4222\`); either is skipped with the reason when its server is unreachable (an error with \`CI=true\`) |
| \`--quick\` | | tiny sizes for a smoke run; explicit flags still win |
| \`--register-cache DIR\` | | keep built registers and reuse them (a 10 M register is ~3 GB and takes long to build; on \`postgres\` its schema stays too) |
| \`--tmp DIR\` | system temp | where replicas and temporary registers live |
| \`--no-auth\` | auth on | run the services without bearer tokens |
| \`--log-level L\` | \`info\` | the services' log level (logs go to files in the temp directory) |
| \`--output FILE\` / \`--no-write\` | \`docs/benchmarks.md\` | where the blocks are written, or not at all |

A run rewrites only the blocks of the sections it ran, in its profile (full or quick). It stops every
process it started and removes its temporary data on success, on failure and on Ctrl-C.
`;
