/**
 * Shared by the matching benchmarks: building a real border replica (SqliteReplicaStore through its
 * bootstrap writer) from import-format persons, the screening service over it, and small helpers.
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScreeningService } from '../../src/border/screening.js';
import { borderPersonOf, borderRestrictionOf, type SnapshotRecord } from '../../src/exchange/protocol.js';
import type { Matcher } from '../../src/matching/index.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';

/** The project root (dist/bench/matching/… → the repository). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The team's shared folder beside the repository (ERX_SHARED names another, e.g. for a worktree elsewhere). */
export const SHARED = process.env.ERX_SHARED ? resolve(process.env.ERX_SHARED) : resolve(ROOT, '../shared');

export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(process.env.ERX_BENCH_TMP ?? tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Snapshot records (border view) of one import-format person. */
export function recordsOf(p: PersonInput): SnapshotRecord[] {
  const out: SnapshotRecord[] = [{ type: 'person', body: borderPersonOf(p) }];
  for (const r of p.restrictions) {
    const view = borderRestrictionOf({ ...r, personId: p.personId });
    if (view) out.push({ type: 'restriction', body: view });
  }
  return out;
}

export interface Replica {
  store: SqliteReplicaStore;
  dir: string;
  close: () => Promise<void>;
}

/** A replica bootstrapped from these persons (any iterable, streamed in batches). */
export async function buildReplica(
  persons: Iterable<PersonInput>,
  matcher: Matcher,
  prefix: string,
  onProgress?: (done: number) => void,
): Promise<Replica> {
  const { dir, remove } = tempDir(prefix);
  const store = new SqliteReplicaStore({ dataDir: dir, matcher });
  const writer = await store.beginBootstrap();
  let batch: SnapshotRecord[] = [];
  let done = 0;
  for (const p of persons) {
    batch.push(...recordsOf(p));
    if (++done % 10_000 === 0) {
      await writer.write(batch);
      batch = [];
      onProgress?.(done);
    }
  }
  await writer.write(batch);
  await writer.finish(1, new Date().toISOString(), '');
  return {
    store,
    dir,
    close: async () => {
      await store.close();
      remove();
    },
  };
}

/** The real screening service over a replica that is in step with its register. */
export function screeningService(store: SqliteReplicaStore, matcher: Matcher): ScreeningService {
  const asOf = new Date().toISOString();
  return new ScreeningService({
    store,
    matcher,
    freshness: async () => ({ replicaSeq: 1, registerSeq: 1, dataAsOf: asOf, lagSeconds: 0 }),
  });
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export function dirSize(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + fileSize(join(dir, f)), 0);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const pct = (n: number, of: number) => (of === 0 ? '—' : `${((100 * n) / of).toFixed(1)} %`);
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
