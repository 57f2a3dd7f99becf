/**
 * Bootstrap of a fresh replica, and the memory a replica holds.
 *
 * Bootstrap: a new `erx border serve` with an empty data directory, timed from the spawn until its
 * status shows the snapshot applied (it then answers screenings from the new state). Peak RSS is the
 * kernel's VmHWM of each process. The baseline is the transport and the register alone: a bare client
 * reading the same snapshot to the end and throwing it away.
 *
 * Memory: the replica's VmRSS once settled after its bootstrap, its peak (VmHWM) over bootstrap and
 * the screening load, and its VmRSS after the load; beside an empty replica (bootstrapped from an empty
 * register, loaded the same way) as the baseline — the fixed cost of a replica process.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERX_BIN } from '../../src/cli/child.js';
import type { BuiltRegister, Deployment } from '../harness/deployment.js';
import { type BenchContext, httpJson, type RunningRegister, type RunningReplica, sleep, startReplica, waitForCommitted } from '../harness/erx.js';
import { count, mb, mib, num, secs, verdict } from '../harness/stats.js';
import type { Row } from '../harness/report.js';

const run = promisify(execFile);

export const BOOTSTRAP_TARGET = { persons: 10_000_000, seconds: 60 };
export const MEMORY_TARGET_PER_MILLION = 200 * 1e6;

export interface BootstrapResult {
  persons: number;
  records: number;
  deployment: string;
  seconds: number;
  snapshotReadSeconds: number;
  replicaPeakRss: number;
  registerPeakRss: number;
}

export interface MemoryResult {
  persons: number;
  deployment: string;
  afterBootstrap: number;
  peak: number;
  afterLoad: number;
}

/** Reads the snapshot once (baseline), then bootstraps a fresh replica; returns it running. */
export async function bootstrapReplica(ctx: BenchContext, dep: Deployment, built: BuiltRegister, reg: RunningRegister): Promise<{ result: BootstrapResult; replica: RunningReplica }> {
  const { resources, log } = ctx;
  const s0 = performance.now();
  const read = await reg.feed.readSnapshot();
  const snapshotReadSeconds = (performance.now() - s0) / 1000;
  if (read !== built.records) throw new Error(`snapshot held ${read} records, expected ${built.records}`);
  log(`  bootstrap: reading the snapshot (baseline) took ${secs(snapshotReadSeconds)}`);

  const dir = resources.tempDir('replica');
  const t0 = performance.now();
  // From the snapshot stream, even where a replica image is on offer (the image has its own row).
  const replica = await startReplica(ctx, dep, reg, dir, undefined, ['--image', 'no']);
  const t1 = await waitForCommitted(dep, replica, built.changes, { timeoutMs: 3_600_000 });
  const seconds = (t1 - t0) / 1000;
  log(`  bootstrap: ${num(built.records)} records in ${secs(seconds)}`);
  return {
    replica,
    result: {
      persons: built.persons,
      records: built.records,
      deployment: dep.label,
      seconds,
      snapshotReadSeconds,
      replicaPeakRss: replica.service.memory()?.hwm ?? NaN,
      registerPeakRss: reg.service.memory()?.hwm ?? NaN,
    },
  };
}

/** Below 10 M the target is judged on a linear extrapolation of the run's rate, and says so; below 1 M not at all. */
function judgeBootstrap(r: { persons: number; seconds: number }): { atTarget: boolean; met: boolean | undefined; verdict: string } {
  const atTarget = r.persons >= BOOTSTRAP_TARGET.persons;
  const projected = (r.seconds / r.persons) * BOOTSTRAP_TARGET.persons;
  const met = r.persons >= 1_000_000 ? (atTarget ? r.seconds : projected) < BOOTSTRAP_TARGET.seconds : undefined;
  return { atTarget, met, verdict: met === undefined ? '— (too small to judge)' : atTarget ? verdict(met) : `${verdict(met)} (linear: ${secs(projected, 0)} at 10 M)` };
}

export interface ImageBootstrapResult {
  persons: number;
  records: number;
  deployment: string;
  /** `erx register image`: the one-off preparation on the register's side. */
  buildSeconds: number;
  buildPeakRss: number;
  bytes: number;
  /** The replica's bootstrap from the image: spawn until its database holds the image's cursor. */
  seconds: number;
  replicaPeakRss: number;
  snapshotReadSeconds: number;
}

/**
 * Builds a replica image of the running register with `erx register image` (timed, its peak RSS as
 * it reports it), then bootstraps a fresh replica from it; the image is removed afterwards (it is as
 * large as a replica's database, and a cached register is reused by later runs).
 */
export async function imageBootstrap(ctx: BenchContext, dep: Deployment, built: BuiltRegister, reg: RunningRegister, snapshotReadSeconds: number): Promise<ImageBootstrapResult> {
  const { resources, log } = ctx;
  const imagesDir = join(built.dir, 'images');
  try {
    log('  bootstrap: building a replica image with `erx register image`…');
    const b0 = performance.now();
    const { stdout } = await run(process.execPath, [ERX_BIN, 'register', 'image', '--data', built.dir], { maxBuffer: 1 << 20, env: { ...process.env, ERX_STORE: '' } });
    const buildSeconds = (performance.now() - b0) / 1000;
    const peak = /peak RSS (\d+) MiB/.exec(stdout);
    const manifest = JSON.parse(readFileSync(join(imagesDir, 'manifest.json'), 'utf8')) as { bytes: number; asOfSeq: number };
    log(`    ${mib(manifest.bytes)} built in ${secs(buildSeconds)}`);

    const dir = resources.tempDir('replica');
    const t0 = performance.now();
    const replica = await startReplica(ctx, dep, reg, dir);
    try {
      const t1 = await waitForCommitted(dep, replica, built.changes, { timeoutMs: 3_600_000 });
      const status = (await httpJson('GET', `${replica.service.url}/v1/border/status`)).body as { counters?: { imageBootstraps?: number } };
      if (status.counters?.imageBootstraps !== 1) throw new Error(`the replica did not bootstrap from the image (status counters: ${JSON.stringify(status.counters)}); see its log in ${ctx.logDir}`);
      const seconds = (t1 - t0) / 1000;
      log(`  bootstrap: from the image in ${secs(seconds)}`);
      return {
        persons: built.persons,
        records: built.records,
        deployment: dep.label,
        buildSeconds,
        buildPeakRss: peak ? Number(peak[1]) * 1024 * 1024 : NaN,
        bytes: manifest.bytes,
        seconds,
        replicaPeakRss: replica.service.memory()?.hwm ?? NaN,
        snapshotReadSeconds,
      };
    } finally {
      await replica.service.stop();
      resources.removeDir(dir);
    }
  } finally {
    rmSync(imagesDir, { recursive: true, force: true });
  }
}

export function imageBootstrapTable(results: ImageBootstrapResult[]): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const { verdict: judged } = judgeBootstrap(r);
    rows.push({
      'register': `${count(r.persons)} persons`,
      'store / transport': r.deployment,
      'image (once, at the register)': `${mib(r.bytes)} in ${secs(r.buildSeconds)}, peak RSS ${mib(r.buildPeakRss)}`,
      'bootstrap from the image': secs(r.seconds),
      'records/s': num(r.records / r.seconds),
      'baseline: read the snapshot only': secs(r.snapshotReadSeconds),
      'peak RSS replica': mib(r.replicaPeakRss),
      'target': `10 M < ${BOOTSTRAP_TARGET.seconds} s`,
      'verdict': judged,
    });
    notes.push(
      `At ${count(r.persons)} persons (${r.deployment}) the register prepared the image once in ${secs(r.buildSeconds)} — the snapshot bootstrap's work, done by the register for every replica that starts afterwards; ` +
        `the replica then copied ${mib(r.bytes)} and hashed it in ${secs(r.seconds)}, process start included, where merely reading the snapshot stream takes ${secs(r.snapshotReadSeconds)}.`,
    );
  }
  return { rows, notes };
}

/** VmRSS once the replica has settled (a few seconds idle after bootstrap). */
export async function settledRss(replica: RunningReplica, waitMs = 3000): Promise<number> {
  await sleep(waitMs);
  return replica.service.memory()?.rss ?? NaN;
}

export function bootstrapTable(results: BootstrapResult[]): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const { atTarget, met, verdict: judged } = judgeBootstrap(r);
    rows.push({
      'register': `${count(r.persons)} persons`,
      'store / transport': r.deployment,
      'records': num(r.records),
      'bootstrap': secs(r.seconds),
      'records/s': num(r.records / r.seconds),
      'baseline: read the snapshot only': secs(r.snapshotReadSeconds),
      'peak RSS replica / register': `${mib(r.replicaPeakRss)} / ${mib(r.registerPeakRss)}`,
      'target': `10 M < ${BOOTSTRAP_TARGET.seconds} s`,
      'verdict': judged,
    });
    if (met === false) {
      notes.push(
        `Bootstrap at ${count(r.persons)} persons (${r.deployment}) ${atTarget ? 'misses' : 'would miss (linear extrapolation)'} the 10 M target: ` +
          `${num(r.records / r.seconds)} records/s, while the register serves the same snapshot in ${secs(r.snapshotReadSeconds)} ` +
          `(${num(r.records / r.snapshotReadSeconds)} records/s). The replica is the bottleneck: it parses each NDJSON line, hashes it into the manifest ` +
          'digest, computes the name keys and writes four tables, all on one thread; building the indexes at the end is part of the time.',
      );
    }
  }
  return { rows, notes };
}

/** The larger of the settled readings that were taken (after the load only when there was one). */
function settled(r: MemoryResult): number {
  return Number.isFinite(r.afterLoad) ? Math.max(r.afterLoad, r.afterBootstrap) : r.afterBootstrap;
}

/** `empties`: the empty replica of each deployment, the baseline of that deployment's rows. */
export function memoryTable(results: MemoryResult[], empties: Map<string, MemoryResult>): { rows: Row[]; notes: string[] } {
  const rows: Row[] = [];
  const notes: string[] = [];
  for (const r of results) {
    const empty = empties.get(r.deployment);
    const millions = r.persons / 1e6;
    const total = settled(r) / millions;
    const marginal = empty ? (settled(r) - settled(empty)) / millions : NaN;
    const peakPerMillion = r.peak / millions;
    const met = r.persons >= 1_000_000 ? total < MEMORY_TARGET_PER_MILLION : undefined;
    rows.push({
      'listed persons': num(r.persons),
      'store / transport': r.deployment,
      'RSS after bootstrap': mib(r.afterBootstrap),
      'RSS after load': mib(r.afterLoad),
      'peak RSS': mib(r.peak),
      'baseline: empty replica': empty ? `${mib(settled(empty))} (peak ${mib(empty.peak)})` : '—',
      'per M persons: total / above empty / peak': `${mb(total)} / ${mb(marginal)} / ${mb(peakPerMillion)}`,
      'target': '< 200 MB per M',
      'verdict': met === undefined ? '— (judged from 1 M up)' : verdict(met),
    });
    if (met === false) notes.push(`Replica memory at ${num(r.persons)} persons (${r.deployment}) misses the target: ${mb(total)} per million persons.`);
    if (met && peakPerMillion >= MEMORY_TARGET_PER_MILLION) {
      notes.push(`At ${num(r.persons)} persons the settled RSS is within the target, but the peak (VmHWM, during bootstrap or load) is ${mb(peakPerMillion)} per million.`);
    }
  }
  return { rows, notes };
}
