/**
 * Screening at scale: replicas of 100 k, 1 M and 10 M synthetic persons (src/demo/synthetic.ts: skewed
 * surname frequencies — many SMIRNOVs and IVANOVs — feminine forms, hyphenated surnames, partial dates),
 * built through the replica's own bootstrap writer; then a few thousand screenings in-process: listed
 * persons under another scheme's spelling (some with day and month swapped or a typing slip in the date,
 * some as a full TD3 MRZ) and strangers.
 *
 * Reported per size: index build time (whole bootstrap, and the part spent computing keys), state
 * database size and name-key share per million persons, process RSS, candidates read per screening,
 * p50 / p99 latency of the matcher (candidate lookups + scoring; wall-clock and CPU time) and of the
 * whole screening (matcher, restrictions, decision and the audit write), and the machine's load average.
 */
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { parseMrz } from '../../src/border/mrz.js';
import { parsePartialDate } from '../../src/domain/dates.js';
import { td3 } from '../../src/demo/mrzSpecimen.js';
import { generatePerson, generatePersons, type SyntheticPerson } from '../../src/demo/synthetic.js';
import { foldLatin, type CandidateSource, type ListedPerson, type Matcher, type Traveller } from '../../src/matching/index.js';
import { SCHEMES, transliterate } from '../../src/matching/schemes.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { buildReplica, fileSize, mb, percentile, screeningService, table } from './common.js';
import { memoryOf } from '../harness/processes.js';
import { seededRandom } from '../harness/seededRandom.js';
import { type ManifestsAtScale, manifestsAtScale } from './manifestsAtScale.js';

/**
 * Travellers screened before the measured ones. A running replica has met many names (the word memo)
 * and read most of its file: the state file is read through a memory map (STATE_MMAP_BYTES), where the
 * first read of each page is a page fault, so at ten million persons a short warm-up would measure the
 * faults of a replica that has just started.
 */
export const WARM_UP = 20_000;

export interface ScaleOptions {
  sizes: number[];
  queries: number;
  matcher: Matcher;
  /** Also this many 300-traveller carriers' manifests per size (manifestsAtScale.ts); none if 0 or absent. */
  manifests?: number;
  log?: (line: string) => void;
}

export interface ScaleRow {
  size: number;
  buildSeconds: number;
  keySeconds: number;
  dbBytes: number;
  keyBytes: number | undefined;
  rssBytes: number;
  /** Of the RSS, file pages mapped into the process (the state file's memory map, and the program's own). */
  mappedBytes: number;
  candidatesP50: number;
  candidatesP99: number;
  matchP50: number;
  matchP99: number;
  /** CPU time of the matcher, which other processes on the machine inflate far less than wall-clock time. */
  cpuP50: number;
  cpuP99: number;
  /** Load average (1 minute) when the screenings of this size ended. */
  load: number;
  screenP50: number;
  screenP99: number;
  found: number;
  listedQueries: number;
  manifests?: ManifestsAtScale;
}


function spell(word: string, r: () => number): string {
  const scheme = SCHEMES[Math.floor(r() * SCHEMES.length)]!;
  return foldLatin(transliterate(word, scheme));
}

interface Probe {
  traveller: Traveller;
  /** The screening request body: typed fields, or the MRZ text. */
  request: Record<string, string>;
  /** The listed person the traveller is, or undefined for a stranger. */
  personId?: string;
}

export function probes(size: number, count: number, seed: number): Probe[] {
  const r = seededRandom(seed);
  const out: Probe[] = [];
  for (let i = 0; i < count; i++) {
    const p = generatePerson(Math.floor(r() * size));
    const kind = r();
    if (kind < 0.2) {
      // A stranger: another person's surname and given name, and a date of birth of nobody in particular.
      const other = generatePerson(Math.floor(r() * size));
      const y = 1960 + Math.floor(r() * 48);
      const date = `${y}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
      const traveller = { surname: spell(p.surname, r), givenNames: spell(other.givenNames, r), dateOfBirth: date };
      out.push({ traveller, request: traveller });
      continue;
    }
    let date = p.dateOfBirth;
    if (date.length === 10 && kind < 0.3) date = `${date.slice(0, 5)}${date.slice(8, 10)}-${date.slice(5, 7)}`;
    else if (date.length === 10 && kind < 0.4) date = `${date.slice(0, 9)}${(Number(date[9]) + 1) % 10}`;
    if (typeof parsePartialDate(date) === 'string') date = p.dateOfBirth;
    if (kind >= 0.9 && p.dateOfBirth.length === 10) {
      const mrz = td3({ surname: p.surname, givenNames: p.givenNames, documentNumber: 'X' + String(i).padStart(8, '0'), country: 'RUS', dateOfBirth: p.dateOfBirth, sex: p.sex, expires: '2031-01-01' });
      out.push({ traveller: parseMrz(mrz), request: { mrz }, personId: p.personId });
      continue;
    }
    const traveller = { surname: spell(p.surname, r), givenNames: spell(p.givenNames, r), dateOfBirth: date };
    out.push({ traveller, request: traveller, personId: p.personId });
  }
  return out;
}

function toInput(p: SyntheticPerson): PersonInput {
  return p as unknown as PersonInput;
}

/** Counts the persons the matcher reads, around any candidate source. */
function counting(source: CandidateSource): CandidateSource & { read: number } {
  const c = {
    read: 0,
    async byDocument(number: string, country?: string) {
      const r = await source.byDocument(number, country);
      c.read += r.length;
      return r;
    },
    async byNameKeys(keys: string[], limit: number) {
      const r: ListedPerson[] = await source.byNameKeys(keys, limit);
      c.read += r.length;
      return r;
    },
  };
  return c;
}

function spaceOf(dbPath: string): number | undefined {
  try {
    const db = new Database(dbPath, { readonly: true });
    try {
      // name_keys_by_person: replicas built before the by-person indexes were dropped.
      const rows = db.prepare("SELECT name, SUM(pgsize) AS bytes FROM dbstat WHERE name IN ('name_keys', 'name_keys_by_person') GROUP BY name").all() as { bytes: number }[];
      return rows.reduce((s, r) => s + r.bytes, 0);
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

export async function scaleBench(options: ScaleOptions): Promise<{ rows: ScaleRow[]; markdown: string }> {
  const log = options.log ?? ((l: string) => console.log(l));
  const rows: ScaleRow[] = [];
  for (const size of options.sizes) {
    log(`\n${size.toLocaleString('en')} persons: building the replica…`);
    let keySeconds = 0;
    const timed: Matcher = {
      version: options.matcher.version,
      thresholds: options.matcher.thresholds,
      match: (t, s) => options.matcher.match(t, s),
      indexKeys(p) {
        const t0 = performance.now();
        const keys = options.matcher.indexKeys(p);
        keySeconds += (performance.now() - t0) / 1000;
        return keys;
      },
    };
    const t0 = performance.now();
    const persons = (function* () {
      for (const p of generatePersons({ count: size })) yield toInput(p);
    })();
    const replica = await buildReplica(persons, timed, `erx-scale-${size}-`, (done) => {
      if (done % 1_000_000 === 0) log(`  ${done.toLocaleString('en')} persons written (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
    });
    const buildSeconds = (performance.now() - t0) / 1000;
    const statePath = join(replica.dir, 'state.db');
    const dbBytes = fileSize(statePath) + fileSize(statePath + '-wal');
    const keyBytes = spaceOf(statePath);
    log(`  built in ${buildSeconds.toFixed(1)} s (keys ${keySeconds.toFixed(1)} s); state.db ${mb(dbBytes)}`);

    const list = probes(size, options.queries, size);
    // Warm-up travellers of their own (a running replica has met many names before; these are not the measured ones).
    const warm = probes(size, WARM_UP, size + 1);
    const source = counting(replica.store);
    const service = screeningService(replica.store, options.matcher);
    // Warm up: JIT, the name-form cache, SQLite's page cache.
    for (const p of warm) await replica.store.readTogether(() => options.matcher.match(p.traveller, replica.store));
    const matchMs: number[] = [];
    const cpuMs: number[] = [];
    const screenMs: number[] = [];
    const reads: number[] = [];
    let found = 0;
    let listed = 0;
    for (const p of list) {
      source.read = 0;
      const cpu = process.cpuUsage();
      const a = performance.now();
      // As a screening reads (ScreeningService): the matcher's statements in one read transaction.
      const matches = await replica.store.readTogether(() => options.matcher.match(p.traveller, source));
      matchMs.push(performance.now() - a);
      const used = process.cpuUsage(cpu);
      cpuMs.push((used.user + used.system) / 1000);
      reads.push(source.read);
      if (p.personId) {
        listed++;
        if (matches.some((m) => m.personId === p.personId)) found++;
      }
      const b = performance.now();
      await service.screen(p.request, 'bench');
      screenMs.push(performance.now() - b);
    }
    const { rss, mappedFile } = memoryOf(process.pid) ?? { rss: process.memoryUsage().rss, mappedFile: 0 };
    const load = loadavg()[0]!;
    let manifests: ManifestsAtScale | undefined;
    if (options.manifests) {
      log(`  ${options.manifests} carriers' manifests of 300 travellers, one at a time…`);
      manifests = await manifestsAtScale(replica.dir, service, size, 1, options.manifests);
      log(`  manifests: p50 ${manifests.p50.toFixed(0)} ms, p99 ${manifests.p99.toFixed(0)} ms per manifest; ${manifests.travellersPerSecond.toFixed(0)} travellers/s on one core; CPU ${manifests.cpuPerTravellerMs.toFixed(3)} ms per traveller`);
    }
    await replica.close();
    for (const a of [matchMs, cpuMs, screenMs, reads]) a.sort((x, y) => x - y);
    const row: ScaleRow = {
      size,
      buildSeconds,
      keySeconds,
      dbBytes,
      keyBytes,
      rssBytes: rss,
      mappedBytes: mappedFile,
      candidatesP50: percentile(reads, 0.5),
      candidatesP99: percentile(reads, 0.99),
      matchP50: percentile(matchMs, 0.5),
      matchP99: percentile(matchMs, 0.99),
      cpuP50: percentile(cpuMs, 0.5),
      cpuP99: percentile(cpuMs, 0.99),
      load,
      screenP50: percentile(screenMs, 0.5),
      screenP99: percentile(screenMs, 0.99),
      found,
      listedQueries: listed,
      ...(manifests ? { manifests } : {}),
    };
    rows.push(row);
    log(
      `  match p50 ${row.matchP50.toFixed(2)} ms, p99 ${row.matchP99.toFixed(2)} ms (CPU ${row.cpuP50.toFixed(2)} / ${row.cpuP99.toFixed(2)} ms); screening p50 ${row.screenP50.toFixed(2)} ms, p99 ${row.screenP99.toFixed(2)} ms; ` +
        `candidates p50 ${row.candidatesP50}, p99 ${row.candidatesP99}; listed travellers found ${found}/${listed}; load average ${load.toFixed(1)}; RSS ${mb(rss)}`,
    );
  }
  const perM = (bytes: number, size: number) => mb((bytes * 1_000_000) / size);
  const markdown = [
    table(
      [
        'persons',
        'index build',
        'of which keys',
        'state.db',
        'per million (target < 200 MB)',
        'name keys per million',
        'RSS (of it, mapped files: the state file and the program)',
        'candidates read p50 / p99',
        'match p50 / p99 (target p99 < 2 ms at 10 M)',
        'its CPU time p50 / p99',
        'screening p50 / p99 (with audit write)',
        'listed travellers found',
        'load average (1 min) after the screenings',
      ],
      rows.map((r) => [
        r.size.toLocaleString('en'),
        `${r.buildSeconds.toFixed(0)} s`,
        `${r.keySeconds.toFixed(1)} s`,
        mb(r.dbBytes),
        perM(r.dbBytes, r.size),
        r.keyBytes === undefined ? '—' : perM(r.keyBytes, r.size),
        `${mb(r.rssBytes)} (${mb(r.mappedBytes)})`,
        `${r.candidatesP50} / ${r.candidatesP99}`,
        `${r.matchP50.toFixed(2)} / ${r.matchP99.toFixed(2)} ms`,
        `${r.cpuP50.toFixed(2)} / ${r.cpuP99.toFixed(2)} ms`,
        `${r.screenP50.toFixed(2)} / ${r.screenP99.toFixed(2)} ms`,
        `${r.found} / ${r.listedQueries}`,
        r.load.toFixed(1),
      ]),
    ),
    ...(rows.some((r) => r.manifests)
      ? [
          '',
          "Carriers' manifests over the same replicas (bench/matching/manifestsAtScale.ts; `--manifests N`): N manifests of 300 travellers (half listed persons as a carrier writes them, half strangers) submitted one after another in-process, each traveller matched, decided now and at departure, audited with one commit and stored — `POST /v1/manifests` without the HTTP.",
          '',
          table(
            ['persons', 'manifests', 'p50 / p99 per manifest (target p99 < 200 ms at 10 M)', 'travellers/s on one core', 'CPU per traveller', 'verdict'],
            rows.filter((r) => r.manifests).map((r) => {
              const m = r.manifests!;
              return [r.size.toLocaleString('en'), m.manifests, `${m.p50.toFixed(0)} / ${m.p99.toFixed(0)} ms`, m.travellersPerSecond.toFixed(0), `${m.cpuPerTravellerMs.toFixed(3)} ms`, r.size >= 10_000_000 ? (m.p99 < 200 ? '**met**' : '**missed**') : '—'];
            }),
          ),
        ]
      : []),
  ].join('\n');
  return { rows, markdown };
}

