/**
 * Anti-entropy: compare the replica's bucket digests with the register's at the same sequence number,
 * fetch only the buckets that differ (a signed, bucket-limited snapshot), and replace them. This heals
 * what the change feed cannot: a database edited by hand, a bug, a lost write.
 *
 * The follow loop is paused until the replica's digest has a read snapshot at exactly the sequence
 * number the register's answer describes; the digest itself is computed off the main thread where the
 * store can (SQLite), so screenings and the follower go on meanwhile. A repair pauses the loop again.
 */
import { type BucketDigests, differingBuckets, digestsOf } from '../exchange/digest.js';
import type { Follower } from './sync/follower.js';
import type { SnapshotRecord } from '../exchange/protocol.js';
import { snapshotDigest } from '../exchange/protocol.js';
import type { ReplicaTrust } from './sync/trust.js';
import { BatchRejected, verifyManifest } from '../exchange/verify.js';
import type { FeedClient } from './sync/feedClient.js';
import type { RepairReport, ReplicaStore } from './replicaStore.js';

export interface VerifyReport {
  at: string;
  asOfSeq: number;
  bucketsCompared: number;
  differing: number[];
  repaired: RepairReport | null;
  /** True when, after any repair, the replica's digests equal the register's. */
  consistent: boolean;
  seconds: number;
}

async function fetchBuckets(client: FeedClient, trust: ReplicaTrust, buckets: number[]) {
  const records: SnapshotRecord[] = [];
  const digest = snapshotDigest();
  let asOfSeq = -1;
  for await (const line of client.snapshot(undefined, buckets)) {
    if (line.type === 'header') asOfSeq = line.asOfSeq;
    else if (line.type === 'end') {
      if (line.asOfSeq !== asOfSeq || line.records !== records.length) throw new BatchRejected('tampered', 'bucket snapshot trailer does not match its contents');
      if (JSON.stringify(line.buckets) !== JSON.stringify([...buckets].sort((a, b) => a - b))) throw new BatchRejected('tampered', 'bucket snapshot covers other buckets than asked');
      verifyManifest(line, trust.keys!);
      if (digest.hex() !== line.digest) throw new BatchRejected('tampered', 'bucket snapshot records do not match the signed digest');
      return { asOfSeq, records };
    } else {
      digest.add(line);
      records.push(line);
    }
  }
  throw new BatchRejected('tampered', 'bucket snapshot ended without its signed trailer');
}

export async function verifyReplica(deps: { follower: Follower; store: ReplicaStore; client: FeedClient; trust: ReplicaTrust }): Promise<VerifyReport> {
  const { follower, store, client, trust } = deps;
  const started = Date.now();
  // The follow loop stands still only until the replica's digest of the register's moment is under way:
  // computed off the main thread (digestOffThread), it reads a snapshot while changes go on.
  const { remote, local } = await follower.exclusive(async () => {
    const remote = await client.digest();
    await follower.advanceTo(remote.asOfSeq);
    return { remote, local: await digestAt(store, remote.asOfSeq) };
  });
  const differing = differingBuckets(remote, await local.digests);
  let repaired: RepairReport | null = null;
  let consistent = differing.length === 0;
  if (differing.length > 0) {
    ({ repaired, consistent } = await follower.exclusive(async () => {
      const fetched = await fetchBuckets(client, trust, differing);
      await follower.advanceTo(fetched.asOfSeq);
      const cursor = (await store.state()).cursor!;
      if (cursor !== fetched.asOfSeq) throw new Error(`replica is at ${cursor}, the repair data at ${fetched.asOfSeq}; try again`);
      const repaired = await store.repairBuckets(cursor, differing, fetched.records);
      const wanted = digestsOf(fetched.records);
      const now = await (await digestAt(store, cursor)).digests;
      return { repaired, consistent: differing.every((b) => wanted.counts[b] === now.counts[b] && wanted.sums[b] === now.sums[b]) };
    }));
  }
  return {
    at: new Date().toISOString(),
    asOfSeq: remote.asOfSeq,
    bucketsCompared: remote.counts.length,
    differing,
    repaired,
    consistent,
    seconds: (Date.now() - started) / 1000,
  };
}

/**
 * The replica's digests as of `cursor` (where the caller holds it): once the off-thread snapshot is
 * taken, the digests to come (the replica may move on meanwhile); else computed here.
 */
async function digestAt(store: ReplicaStore, cursor: number): Promise<{ digests: Promise<BucketDigests> }> {
  if (!store.digestOffThread) return { digests: store.digest() };
  const { snapshot, digests } = store.digestOffThread();
  const at = await snapshot;
  if (at !== cursor) throw new Error(`the replica's digest was taken at ${at}, not at ${cursor}; try again`);
  return { digests };
}
