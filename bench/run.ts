/**
 * `npm run bench` — erx's benchmark harness. Runs real erx processes on ephemeral ports and measures,
 * each beside a baseline from the same run and beside its target:
 *
 *   apply      apply rate into a replica vs the raw batched-insert rate of the same store
 *   bootstrap  bootstrap of a fresh replica (seconds, peak RSS) vs reading the snapshot alone
 *   lag        register commit → visible at 1…N replicas, impose and lift, over HTTP and JetStream, vs a bare subscriber
 *   relief     a lift → applied at 1 and 2 replicas, vs a ban in the same run, with the register's own figure
 *   http       screenings/s and latency under autocannon vs a server answering a constant
 *   memory     replica RSS per million persons vs an empty replica
 *
 * Prints markdown to stdout (progress goes to stderr) and rewrites its profile's blocks of
 * docs/benchmarks.md. Every child process and temporary directory is removed on exit, on failure and
 * on Ctrl-C. Stores and transports are a dimension (bench/harness/deployment.ts): `--stores` and
 * `--transports` pick which are measured; each adds rows.
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuiltRegister, type Deployment, type Store, STORES, syntheticInputs, TRANSPORTS, usableDeployments } from './harness/deployment.js';
import { HOW_TO_RUN, PREAMBLE, SECTION_ORDER, type Profile, type SectionName, writeDocument } from './harness/document.js';
import { type BenchContext, settled, startRegister, startReplica } from './harness/erx.js';
import { Resources } from './harness/processes.js';
import { type Block, machine, machineLine, renderBlock, table } from './harness/report.js';
import { count, num, secs } from './harness/stats.js';
import { type ApplyResult, applyTables } from './sections/apply.js';
import { measureApply } from './sections/apply.js';
import { type BootstrapResult, bootstrapReplica, bootstrapTable, type ImageBootstrapResult, imageBootstrap, imageBootstrapTable, type MemoryResult, memoryTable, settledRss } from './sections/bootstrap.js';
import { type AuditFloor, auditFloor, type HttpResult, httpTable, type LoadOptions, type LoadResult, measureFloor, runLoad, sampleDecisions, screeningPool } from './sections/http.js';
import { type LagResult, lagTable, measureLag } from './sections/lag.js';
import { type ManifestResult, manifestTable, measureManifests } from './sections/manifests.js';
import { type WorkersResult, workersTable } from './sections/workers.js';
import { measureRules, rulesBlock, type RulesResult } from './sections/rules.js';
import { measureRelief, type ReliefResult, reliefTable } from './sections/relief.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

const int = (min: number) => (v: string) => {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}, not "${v}"`);
  return n;
};
const ints = (min: number) => (v: string) => v.split(',').filter(Boolean).map((s) => int(min)(s.trim()));
const names = (known: readonly string[]) => (v: string) => {
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((s) => !known.includes(s));
  if (bad.length) throw new InvalidArgumentError(`unknown: ${bad.join(', ')} (known: ${known.join(', ')})`);
  return list;
};

const program = new Command()
  .name('npm run bench --')
  .description('erx benchmarks: apply, bootstrap, lag, HTTP screening and memory, each beside its baseline and target')
  .option('--persons <list>', 'register sizes (persons), comma-separated', ints(1), [100_000, 1_000_000])
  .option('--apply-persons <list>', 'register sizes the apply section runs at (default: every --persons size)', ints(1))
  .option(
    '--store-persons <store=list>',
    'register sizes for one store instead of --persons, e.g. postgres=100000,1000000 (repeatable)',
    (v: string, acc: Record<string, number[]>) => {
      const [name, list] = v.split('=');
      if (!name || !list) throw new InvalidArgumentError(`expected STORE=LIST, e.g. postgres=100000,1000000, not "${v}"`);
      return { ...acc, [name]: ints(1)(list) };
    },
    {} as Record<string, number[]>,
  )
  .option('--replicas <list>', 'replica counts for the lag test', ints(1), [1, 10, 50])
  .option('--duration <seconds>', 'seconds of screening load per measurement', int(1), 10)
  .option('--warmup <seconds>', 'seconds of load before each measured run', int(0), 3)
  .option('--connections <n>', 'concurrent HTTP connections of the load generator', int(1), 10)
  .option('--manifest-travellers <n>', 'travellers per manifest (manifests section)', int(1), 300)
  .option('--no-workers-compare', 'http and manifests: do not measure the replica again with 2 workers (bench/sections/workers.ts)')
  .option('--trials <n>', 'lag trials (each one impose and one lift) per replica count', int(1), 50)
  .option('--lag-persons <n>', 'size of the register the lag test runs on (kept small)', int(10), 2000)
  .option('--rules-persons <list>', 'exemption holders beside one category-wide rule (rules section), comma-separated', ints(1), [5_000_000])
  .option('--only <sections>', `sections to run: ${SECTION_ORDER.join(',')}`, names(SECTION_ORDER), [...SECTION_ORDER])
  .option('--stores <list>', `stores to measure: ${Object.keys(STORES).join(',')}`, names(Object.keys(STORES)), ['sqlite'])
  .option('--transports <list>', `transports to measure: ${Object.keys(TRANSPORTS).join(',')}`, names(Object.keys(TRANSPORTS)), ['http', 'nats'])
  .option('--quick', 'tiny sizes for a smoke run (about a minute): --persons 20000 --replicas 1,5 --duration 3 --warmup 1 --trials 30 --lag-persons 500 --rules-persons 20000')
  .option('--seed <n>', 'seed of the synthetic register', int(1), 2024)
  .option('--batch <n>', 'persons per register transaction at build time, and changes per feed request', int(1), 1000)
  .option('--tmp <dir>', 'where temporary data goes (default: the system temp directory)')
  .option('--register-cache <dir>', 'keep the built registers here and reuse them in later runs (they are not removed)')
  .option('--no-auth', 'run the services with --no-auth (default: bearer tokens, as deployed)')
  .option('--log-level <level>', "the services' ERX_LOG_LEVEL (their logs go to a temporary directory)", 'info')
  .option('--output <file>', 'the document to update', 'docs/benchmarks.md')
  .option('--no-write', 'print only; leave the document alone')
  .showHelpAfterError();

interface Options {
  persons: number[];
  applyPersons?: number[];
  storePersons: Record<string, number[]>;
  replicas: number[];
  duration: number;
  warmup: number;
  connections: number;
  workersCompare: boolean;
  trials: number;
  manifestTravellers: number;
  lagPersons: number;
  rulesPersons: number[];
  only: SectionName[];
  stores: string[];
  transports: string[];
  quick?: boolean;
  seed: number;
  batch: number;
  tmp?: string;
  registerCache?: string;
  auth: boolean;
  logLevel: string;
  output: string;
  write: boolean;
}

program.parse(process.argv);
const opts = program.opts<Options>();
if (opts.quick) {
  const quick: Partial<Options> = { persons: [20_000], replicas: [1, 5], duration: 3, warmup: 1, trials: 30, lagPersons: 500, rulesPersons: [20_000] };
  for (const [k, v] of Object.entries(quick)) {
    if (program.getOptionValueSource(k) === 'default') (opts as unknown as Record<string, unknown>)[k] = v;
  }
}
const profile: Profile = opts.quick ? 'quick' : 'full';
const only = new Set(opts.only);
const command = `node dist/bench/run.js${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
const log = (line: string) => process.stderr.write(line + '\n');

const resources = new Resources(opts.tmp ? resolve(opts.tmp) : undefined);
// A store's data outside the temporary directories (PostgreSQL schemas) goes with them.
for (const name of new Set(opts.stores)) resources.attach(STORES[name]!);
let stopping = false;
const onSignal = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`\n${signal}: stopping every process the bench started and removing its temporary data…`);
  void resources.close().finally(() => process.exit(130));
};
process.once('SIGINT', () => onSignal('SIGINT'));
process.once('SIGTERM', () => onSignal('SIGTERM'));
process.once('exit', () => resources.closeNow());

const ctx: BenchContext = { resources, auth: opts.auth, logLevel: opts.logLevel, logDir: resources.tempDir('logs'), log };

/** A register of `size` synthetic persons: built now (in-process), or taken from the cache. */
async function registerFor(store: Store, size: number): Promise<{ built: BuiltRegister; temporary: boolean }> {
  const key = `${store.name}-${size}-seed${opts.seed}-batch${opts.batch}`;
  let dir: string;
  if (opts.registerCache) {
    dir = join(resolve(opts.registerCache), key);
    const marker = join(dir, 'built.json');
    if (existsSync(marker)) {
      const built = JSON.parse(readFileSync(marker, 'utf8')) as BuiltRegister;
      log(`  register of ${count(size)} persons from the cache (${dir})`);
      return { built: { ...built, dir }, temporary: false };
    }
    rmSync(dir, { recursive: true, force: true });
  } else dir = resources.tempDir(`register-${size}`);
  log(`  building a register of ${count(size)} persons in-process (synthetic, seed ${opts.seed})…`);
  let lastLine = performance.now();
  const built = await store.buildRegister(dir, syntheticInputs(size, opts.seed), opts.batch, (done) => {
    if (performance.now() - lastLine > 15_000) {
      lastLine = performance.now();
      log(`    ${num(done)} persons loaded`);
    }
  });
  log(`    ${num(built.persons)} persons, ${num(built.changes)} changes, ${num(built.records)} snapshot records in ${secs(built.seconds)}`);
  if (opts.registerCache) writeFileSync(join(dir, 'built.json'), JSON.stringify(built));
  return { built, temporary: !opts.registerCache };
}

const results = {
  apply: [] as ApplyResult[],
  bootstrap: [] as BootstrapResult[],
  image: [] as ImageBootstrapResult[],
  memory: [] as MemoryResult[],
  empty: new Map<string, MemoryResult>(),
  http: [] as HttpResult[],
  workers: [] as WorkersResult[],
  lag: [] as LagResult[],
  manifests: [] as ManifestResult[],
  relief: [] as ReliefResult[],
  floor: undefined as LoadResult | undefined,
  /** By store name. */
  audit: new Map<string, AuditFloor>(),
};
const load: LoadOptions = { connections: opts.connections, durationSeconds: opts.duration, warmupSeconds: opts.warmup };

/** Bootstrap a fresh replica of `built`, then (as selected) memory, screening load, floor. */
async function replicaFlow(dep: Deployment, built: BuiltRegister): Promise<void> {
  const reg = await startRegister(ctx, dep, built.dir);
  let replica;
  /** The replica's worker processes: 1 until a section restarts it with 2 on the same data. */
  let workers = 1;
  try {
    const boot = await bootstrapReplica(ctx, dep, built, reg);
    replica = boot.replica;
    if (only.has('bootstrap') && built.persons > 0) results.bootstrap.push(boot.result);
    const afterBootstrap = await settledRss(replica);
    let afterLoad = NaN;
    if (only.has('http')) {
      const pool = screeningPool(built.persons, opts.seed, 2000);
      const { mix, answer } = await sampleDecisions(replica.service, pool, replica.checkpoint);
      log(`  http: ${opts.duration} s of screenings at ${opts.connections} connections against ${num(built.persons)} persons…`);
      await settled(ctx, replica);
      const result = await runLoad(replica.service.url, pool, { ...load, authorization: replica.checkpoint });
      log(`    ${num(result.perSecond)} screenings/s, p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}`);
      results.http.push({ persons: built.persons, deployment: dep.label, load: result, mix });
      afterLoad = replica.service.memory()?.rss ?? NaN;
      if (!results.floor && built.persons > 0) {
        log('  http: the floor (a Fastify server answering a constant) under the same load…');
        results.floor = await measureFloor(ctx, pool, answer, load);
        log(`    ${num(results.floor.perSecond)} req/s, p99 ${results.floor.p99} ms`);
      }
      if (opts.workersCompare && built.persons > 0) {
        // The same data, served by 2 workers (the replica above stopped first: they share its files).
        const loadBefore = loadavg()[0]!;
        await replica.service.stop();
        replica = await startReplica(ctx, dep, reg, replica.dir, 1000, ['--workers', '2']);
        workers = 2;
        await sampleDecisions(replica.service, pool, replica.checkpoint);
        await settled(ctx, replica);
        log(`  http: the same load against 2 workers…`);
        const two = await runLoad(replica.service.url, pool, { ...load, authorization: replica.checkpoint });
        log(`    ${num(two.perSecond)} screenings/s, p50 ${two.p50} ms, p99 ${two.p99} ms, non-2xx ${two.non2xx} (1 worker: ${num(result.perSecond)})`);
        results.workers.push({ persons: built.persons, deployment: dep.label, one: result, two, loadAverage: (loadBefore + loadavg()[0]!) / 2 });
      }
      if (!results.audit.has(dep.store.name) && built.persons > 0) {
        const audit = { perSecond: await auditFloor(ctx, dep.store, answer), durability: dep.store.describe.audit };
        results.audit.set(dep.store.name, audit);
        log(`  http: the audit write alone (${audit.durability}) runs at ${num(audit.perSecond)} rows/s`);
      }
    }
    if (only.has('manifests') && built.persons > 0) {
      const manifestOptions = { travellers: opts.manifestTravellers, connections: Math.max(2, Math.min(opts.connections, 4)), durationSeconds: opts.duration, warmupSeconds: opts.warmup };
      results.manifests.push(await measureManifests(ctx, replica, workers, built.persons, dep.label, opts.seed, manifestOptions));
      if (opts.workersCompare && workers === 1) {
        // Every worker screens manifests: the same load against 2 workers on the same data.
        await replica.service.stop();
        replica = await startReplica(ctx, dep, reg, replica.dir, 1000, ['--workers', '2']);
        workers = 2;
        results.manifests.push(await measureManifests(ctx, replica, workers, built.persons, dep.label, opts.seed, { ...manifestOptions, connections: manifestOptions.connections * 2 }));
      }
    }
    const memory: MemoryResult = { persons: built.persons, deployment: dep.label, afterBootstrap, afterLoad, peak: replica.service.memory()?.hwm ?? NaN };
    if (built.persons === 0) results.empty.set(dep.label, memory);
    else if (only.has('memory')) results.memory.push(memory);
    // Replica images are SQLite replica databases: measured for the SQLite store, with the replica above stopped.
    if (only.has('bootstrap') && built.persons > 0 && dep.store.name === 'sqlite') {
      await replica.service.stop();
      resources.removeDir(replica.dir);
      replica = undefined;
      results.image.push(await imageBootstrap(ctx, dep, built, reg, boot.result.snapshotReadSeconds));
    }
  } finally {
    await replica?.service.stop();
    if (replica) resources.removeDir(replica.dir);
    await reg.stop();
  }
}

const startedAt = new Date();
const t0 = performance.now();
// Other work on the machine shares its cores with what is measured: the load average says how much.
const loads: number[] = [loadavg()[0]!];
const loadTimer = setInterval(() => loads.push(loadavg()[0]!), 5000);
loadTimer.unref();
const m = machine();
let failed: unknown;
let rules: RulesResult | undefined;
try {
  log(`erx bench (${profile}): ${[...only].join(', ')}; persons ${opts.persons.map(count).join(', ')}; replicas ${opts.replicas.join(', ')}; ${machineLine(m)}`);
  for (const dep of await usableDeployments(opts.stores, opts.transports, log)) {
    log(`\n== ${dep.label}`);
    // A transport measures only the sections it changes (nats: lag); the rest run once, over HTTP.
    const runs = (section: SectionName) => only.has(section) && (dep.transport.sections?.includes(section) ?? true);
    if (runs('http') || runs('memory')) {
      log('\n-- an empty replica (the baseline of memory)');
      const { built, temporary } = await registerFor(dep.store, 0);
      await replicaFlow(dep, built);
      if (temporary) resources.removeDir(built.dir);
    }
    const sizes = opts.storePersons[dep.store.name] ?? opts.persons;
    const applySizes = (opts.applyPersons ?? sizes).filter((n) => sizes.includes(n));
    for (const size of runs('apply') || runs('bootstrap') || runs('http') || runs('memory') || runs('manifests') ? sizes : []) {
      log(`\n-- ${count(size)} persons`);
      const { built, temporary } = await registerFor(dep.store, size);
      if (runs('apply') && applySizes.includes(size)) results.apply.push(await measureApply(ctx, dep, built, opts.batch));
      if (runs('bootstrap') || runs('http') || runs('memory') || runs('manifests')) await replicaFlow(dep, built);
      if (temporary) resources.removeDir(built.dir);
    }
    if (runs('lag')) {
      log('\n-- propagation lag');
      results.lag.push(...(await measureLag(ctx, dep, { replicaCounts: opts.replicas, trials: opts.trials, registerPersons: opts.lagPersons, seed: opts.seed })));
    }
    if (runs('relief')) {
      log('\n-- time to relief at the border');
      results.relief.push(await measureRelief(ctx, dep, { trials: opts.trials, registerPersons: opts.lagPersons, seed: opts.seed }));
    }
  }
  if (only.has('rules')) rules = await measureRules(ctx, { sizes: opts.rulesPersons, seed: opts.seed });
} catch (err) {
  failed = err;
} finally {
  await resources.close();
}

// ---------------------------------------------------------------------------------------------
// The report.

const blocks: Partial<Record<SectionName, Block>> = {};
/** The stores of these rows, in the order measured. */
const storesOf = (rows: { deployment: string }[]): Store[] => [...new Set(rows.map((r) => r.deployment.split(' / ')[0]!))].map((name) => STORES[name]!);
if (results.apply.length) {
  const t = applyTables(results.apply);
  blocks.apply = {
    title: 'Apply rate into a replica',
    intro:
      'A replica whose state is that of one bootstrapped from an empty register (cursor 0) follows a register holding the synthetic persons, so the whole change log arrives as changes: ' +
      '`erx border serve` fetches the signed batches, checks order, hash chain and signature, and applies each page in one transaction that also moves the cursor. ' +
      `Rate = changes ÷ time from the replica's start until its committed cursor reaches the head (\`--batch ${opts.batch}\`); progress is read from the replica's database by the bench, not asked of the process, so that polling costs the replica nothing. ` +
      "**Baseline:** the same rows (the border view each change carries) inserted into bare tables of the replica's shape " +
      storesOf(results.apply).map((s) => `(${s.name}: ${s.describe.rawInsert})`).join(', ') +
      ', one transaction per register batch, counting only the time inside the transactions — the store\'s limit.',
    tables: [table(t.summary), 'Where the time goes:', table(t.detail)],
    notes: t.notes,
  };
}
if (results.bootstrap.length) {
  const t = bootstrapTable(results.bootstrap);
  blocks.bootstrap = {
    title: 'Bootstrap of a fresh replica',
    intro:
      "A new `erx border serve` with an empty data directory, from its spawn until its database holds the committed snapshot (the bench reads the replica's cursor and `dataAsOf` from its store; from then on it answers screenings from the new state). " +
      'Peak RSS is each process\'s VmHWM. **Baseline:** a bare client reading the same snapshot stream from the same register to the end and discarding it (the register and the transport alone). ' +
      'The target is for 10 M persons; runs below 10 M are judged on a linear extrapolation of their rate, and say so.' +
      storesOf(results.bootstrap).filter((s) => s.describe.memory).map((s) => ` On \`${s.name}\` ${s.describe.memory}.`).join(''),
    tables: [table(t.rows)],
    notes: t.notes,
  };
  if (results.image.length) {
    const i = imageBootstrapTable(results.image);
    blocks.bootstrap.tables.push(
      'From a replica image (`erx register image`; a fresh replica downloads the signed, prepared database, checks its length, sha256 and cursor against the manifest, and follows on from it). ' +
        'The image is built once, on the register\'s side, by the same bootstrap code, for every replica that starts afterwards; the replica\'s time runs from its spawn until its database holds the image\'s cursor.',
      table(i.rows),
    );
    blocks.bootstrap.notes.push(...i.notes);
  }
}
if (results.lag.length) {
  const t = lagTable(results.lag);
  blocks.lag = {
    title: 'Propagation lag (register commit → visible to screening)',
    intro:
      `${opts.trials} trials per replica count, each an impose (a court order issued, then served — the serve is what the border sees) and a lift, on a register of ${num(opts.lagPersons)} persons. ` +
      "The clock starts when the committing request is sent to the register and stops when a replica's `/v1/border/status` shows its cursor at the committed sequence number (its page is applied in the same transaction as the cursor, so screening sees it from then on). " +
      'p50/p99 are over every (trial, replica) observation; "slowest replica" is the p99 over trials of the last replica to see the change. ' +
      'Polling shares the 2 cores with the replicas, so its interval grows with their number (≈ 1 status request per ms in all): it is the resolution of the figure. ' +
      'After every trial one replica screens the person: "screening changed" counts the trials whose decision was hit after the impose and clear after the lift. ' +
      '**Baseline:** a bare subscriber waiting on the same commit, with nothing verified or applied — over HTTP a long-poll on the register (`GET /v1/exchange/changes?after=HEAD&wait=30000`, the request every replica has open: the register\'s wake-up plus one HTTP response); over NATS JetStream (`… / nats`: the register runs with `--bus`, replicas follow its stream with `--bus`) an ordered consumer on the register\'s stream (commit → the register\'s publisher → the stream → the consumer). ' +
      'Each replica count begins with one unmeasured trial, so every replica has its request (or consumer) open when the clock runs.',
    tables: [table(t.rows)],
    notes: t.notes,
  };
}
if (results.relief.length) {
  const t = reliefTable(results.relief);
  blocks.relief = {
    title: 'Time to relief at the border (a lift → applied at every replica)',
    intro:
      `${opts.trials} lifts per replica count (1 and 2 replicas), each after a ban (a court order served) on a register of ${num(opts.lagPersons)} persons, timed as in the lag section: from the lift's request to the register until a replica's status shows its sequence number. ` +
      '**Baseline:** the ban (restriction imposed) in the same run and to the same replicas — relief must travel at least as fast. ' +
      "Beside it, the register's own figure as `GET /v1/statistics` publishes it (`timeToRelief.perReplica`: lift committed → the follower's next feed request starts after it; HTTP followers only, over the whole run; the bench's replicas share one token, which the register counts as one follower, so this is the first of them to apply).",
    tables: [table(t.rows)],
    notes: t.notes,
  };
}
if (results.http.length) {
  const t = httpTable(results.http, results.floor, load, results.audit);
  blocks.http = {
    title: 'Screening over HTTP',
    intro:
      `autocannon in the bench process, ${opts.connections} connections, ${opts.warmup} s warm-up then ${opts.duration} s measured, \`POST /v1/screenings\` with a checkpoint's bearer token, cycling a seeded mix of 2,000 travellers: ` +
      '40 % listed persons typed in ICAO Latin with their date of birth, 20 % listed persons by TD3 MRZ, 20 % a document number and nationality only, 20 % strangers. ' +
      `Every screening is matched, decided and written to the audit (${storesOf(results.http).map((s) => `${s.name}: ${s.describe.audit}`).join('; ')}) before it is answered. ` +
      '**Baseline (the HTTP floor):** a bare Fastify server on the same machine, no logging, answering a real captured screening answer as a constant to the same load.',
    tables: [table(t.rows)],
    notes: t.notes,
  };
  if (results.workers.length) {
    const w = workersTable(results.workers, results.floor, load);
    blocks.http.tables.push(
      '**Workers** (`erx border serve --workers N`): single screenings under the same load with one worker and with two, on the same replica data; ' +
        'the replica with two workers is started on the files the first bootstrapped.\n\n' + table(w.rows),
    );
    blocks.http.notes.push(...w.notes);
  }
}
if (results.manifests.length) {
  const t = manifestTable(results.manifests);
  blocks.manifests = {
    title: "Carriers' manifests",
    intro:
      `\`POST /v1/manifests\` with a carrier's bearer token: ${num(opts.manifestTravellers)}-traveller JSON manifests from ${Math.max(2, Math.min(opts.connections, 4))} concurrent carriers (twice as many against 2 workers), ${opts.warmup} s warm-up then ${opts.duration} s measured, on the replica of the screening section, then (unless \`--no-workers-compare\`) on the same data served by \`--workers 2\`, where every worker screens manifests. ` +
      'Half the travellers are listed persons as a carrier lists them (ICAO Latin names, date of birth, passport, nationality), half strangers. Every traveller is matched, decided as of now and as of departure, and audited before the manifest is answered and stored. ' +
      "Latency is the carrier's, per manifest; travellers/s counts answered travellers. **Baseline:** the replica process's CPU per single screening (`POST /v1/screenings`, the same travellers, one per request) beside its CPU per traveller in a manifest (utime + stime from /proc, of every worker, so the load generator does not count).",
    tables: [table(t.rows)],
    notes: t.notes,
  };
}
if (results.memory.length) {
  const t = memoryTable(results.memory, results.empty);
  blocks.memory = {
    title: 'Memory of a replica',
    intro:
      "The replica's VmRSS 3 s after its bootstrap, VmRSS after the screening load, and VmHWM (the peak over the bootstrap and the load). " +
      '"Per M persons" divides the settled RSS (the larger of the two) by the millions of persons; "above empty" first subtracts the baseline. ' +
      '**Baseline:** an empty replica (bootstrapped from an empty register, then loaded the same way, on the same store) — the fixed cost of a replica process.' +
      storesOf(results.memory).filter((s) => s.describe.memory).map((s) => ` On \`${s.name}\` ${s.describe.memory}.`).join(''),
    tables: [table(t.rows)],
    notes: t.notes,
  };
}
if (rules) {
  blocks.rules = rulesBlock(rules);
  const regressions = rules.runs.flatMap((r) => r.failures);
  if (regressions.length && !failed) failed = new Error(`rules: expected decisions missed:\n  ${regressions.join('\n  ')}`);
}

const seconds = (performance.now() - t0) / 1000;
clearInterval(loadTimer);
const meanLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
const provenance =
  `Measured on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC by \`${command}\` (${Math.round(seconds)} s in all); ${machineLine(m)}; ` +
  `1-min load average during the run, the bench itself included, ${meanLoad.toFixed(1)} (max ${Math.max(...loads).toFixed(1)}); auth ${opts.auth ? 'on (bearer tokens)' : 'off'}, service log level ${opts.logLevel}.`;
const rendered: Partial<Record<SectionName, string>> = {};
for (const name of SECTION_ORDER) {
  const b = blocks[name];
  if (b) rendered[name] = renderBlock(b, provenance);
}
process.stdout.write(`# erx benchmarks (${profile})\n\n_${provenance}_\n\n` + Object.values(rendered).map((r) => r.replace(/^_[^\n]*_\n\n/m, '')).join('\n') + '\n');

if (failed) {
  process.stderr.write(`\nbench failed: ${failed instanceof Error ? failed.stack ?? failed.message : String(failed)}\n`);
  process.exitCode = 1;
} else if (opts.write) {
  const path = resolve(ROOT, opts.output);
  writeDocument(path, profile, rendered, { preamble: PREAMBLE, howToRun: HOW_TO_RUN });
  log(`\nwritten to ${path}`);
}
