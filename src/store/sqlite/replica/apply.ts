/**
 * Applying verified batches to a SQLite replica: the ordinary path (every change, the applied-batch
 * hashes, cursor, last hash and counters in one transaction), the relief lane (lifts and deferments
 * ahead of the cursor, cursor unmoved), and what the follower learns from a contact. Each write checks
 * the cursor inside its transaction and refuses (CursorMoved) if another caller moved it.
 */
import type { BatchToApply } from '../../../exchange/planPage.js';
import { CursorMoved } from '../../../border/replicaStore.js';
import { isRelief } from '../../../exchange/protocol.js';
import { faultPointInBatch } from '../../../shared/faults.js';
import { applyChange } from './rowWrites.js';
import type { ReplicaStateFile } from './stateFile.js';

/** Inside a write transaction: throws CursorMoved unless the stored cursor is `expected`. */
export function checkCursor(f: ReplicaStateFile, expected: number): void {
  const cursor = f.meta('cursor');
  if (cursor === undefined || Number(cursor) !== expected) throw new CursorMoved(expected, cursor === undefined ? null : Number(cursor));
}

/**
 * The priority lane: applies the relief changes (lifts, deferments) of verified batches beyond the
 * cursor, without moving the cursor. The ordinary apply reaches them later and finds them done.
 */
export function applyRelief(f: ReplicaStateFile, expectedCursor: number, batches: BatchToApply[]): number {
  const s = f.stmt;
  return f.write(() => {
    checkCursor(f, expectedCursor);
    let applied = 0;
    for (const batch of batches) {
      for (const change of batch.changes) {
        if (change.seq <= expectedCursor || !isRelief(change)) continue;
        applyChange(s, f.matcher, change);
        applied++;
      }
    }
    return applied;
  });
}

export function applyBatches(f: ReplicaStateFile, expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): void {
  const s = f.stmt;
  f.write(() => {
    checkCursor(f, expectedCursor);
    let applied = 0;
    for (const batch of batches) {
      const middle = Math.floor(batch.changes.length / 2);
      for (const [i, change] of batch.changes.entries()) {
        if (i === middle) faultPointInBatch();
        applyChange(s, f.matcher, change);
      }
      applied += batch.changes.length;
      s.putApplied.run(batch.lastSeq, batch.hash);
    }
    const last = batches[batches.length - 1];
    if (last) {
      s.setMeta.run('cursor', String(last.lastSeq));
      s.setMeta.run('lastHash', last.hash);
    }
    const now = last?.lastSeq ?? expectedCursor;
    s.setMeta.run('changesApplied', String(Number(f.meta('changesApplied') ?? 0) + applied));
    s.setMeta.run('registerSeq', String(Math.max(registerSeq, now)));
    if (now >= registerSeq) s.setMeta.run('dataAsOf', registerTime);
  });
}

export function knownBatchHashes(f: ReplicaStateFile, lastSeqs: number[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const seq of lastSeqs) {
    const row = f.stmt.getApplied.get(seq);
    if (row) out.set(seq, row.hash);
  }
  return out;
}

export function noteContact(f: ReplicaStateFile, registerSeq: number, registerTime: string, caughtUp: boolean): void {
  // A state without a cursor (set aside, not yet rebuilt) holds nothing a contact could make current.
  if (f.meta('cursor') === undefined) return;
  f.write(() => {
    f.stmt.setMeta.run('registerSeq', String(registerSeq));
    if (caughtUp) f.stmt.setMeta.run('dataAsOf', registerTime);
  });
}
