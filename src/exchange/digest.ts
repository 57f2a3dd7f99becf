/**
 * Bucket digests for anti-entropy: the border view is split into 4,096 buckets by a hash of each
 * record's identity, and each bucket is summarised by its record count and the sum (mod 2^32) of a
 * 32-bit hash of every record. Sums combine in any order, so register and replica can compute them
 * independently and compare 4,096 pairs instead of millions of records; only differing buckets are
 * then fetched and repaired.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../shared/canonical.js';
import type { SnapshotRecord } from './protocol.js';

export const BUCKETS = 4096;

export function recordKey(record: SnapshotRecord): string {
  switch (record.type) {
    case 'person':
      return `person:${record.body.personId}`;
    case 'restriction':
      return `restriction:${record.body.restrictionId}`;
    case 'rule':
      return `rule:${record.body.ruleId}`;
    case 'office':
      return `office:${record.body.officeId}`;
    case 'attestation':
      return `attestation:${record.body.ref}`;
  }
}

export function bucketOfKey(key: string): number {
  return createHash('sha256').update(key).digest().readUInt16BE(0) % BUCKETS;
}

export function bucketOf(record: SnapshotRecord): number {
  return bucketOfKey(recordKey(record));
}

export function recordHash(record: SnapshotRecord): number {
  return createHash('sha256').update(canonicalJson(record)).digest().readUInt32BE(0);
}

export interface BucketDigests {
  counts: number[];
  sums: number[];
}

export function emptyDigests(): BucketDigests {
  return { counts: new Array<number>(BUCKETS).fill(0), sums: new Array<number>(BUCKETS).fill(0) };
}

export function addRecord(d: BucketDigests, record: SnapshotRecord): void {
  const b = bucketOf(record);
  d.counts[b]!++;
  d.sums[b] = (d.sums[b]! + recordHash(record)) >>> 0;
}

export function digestsOf(records: Iterable<SnapshotRecord>): BucketDigests {
  const d = emptyDigests();
  for (const r of records) addRecord(d, r);
  return d;
}

/** Bucket numbers whose count or sum differ. */
export function differingBuckets(a: BucketDigests, b: BucketDigests): number[] {
  const out: number[] = [];
  for (let i = 0; i < BUCKETS; i++) if (a.counts[i] !== b.counts[i] || a.sums[i] !== b.sums[i]) out.push(i);
  return out;
}

export interface RepairPlan {
  /** Records to write (new or changed). */
  write: SnapshotRecord[];
  /** Records the replica holds in the repaired buckets that the register does not: `person:ID`, `restriction:ID`, `rule:ID`, `office:ID`. */
  remove: string[];
  report: { buckets: number; inserted: number; updated: number; deleted: number; unchanged: number };
}

/**
 * What repairing some buckets means, as a pure function: `held` is the replica's records in those
 * buckets (`entity:id` key → canonical JSON of the body), `truth` the register's records for them.
 */
export function planRepair(buckets: number[], held: ReadonlyMap<string, string>, truth: readonly SnapshotRecord[]): RepairPlan {
  const wanted = new Set(buckets);
  const plan: RepairPlan = { write: [], remove: [], report: { buckets: buckets.length, inserted: 0, updated: 0, deleted: 0, unchanged: 0 } };
  const seen = new Set<string>();
  for (const record of truth) {
    const key = recordKey(record);
    if (!wanted.has(bucketOfKey(key))) continue;
    seen.add(key);
    const old = held.get(key);
    if (old === canonicalJson(record.body)) {
      plan.report.unchanged++;
      continue;
    }
    if (old === undefined) plan.report.inserted++;
    else plan.report.updated++;
    plan.write.push(record);
  }
  for (const key of held.keys()) {
    if (seen.has(key)) continue;
    plan.report.deleted++;
    plan.remove.push(key);
  }
  return plan;
}
