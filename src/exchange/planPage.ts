/**
 * Deciding what to do with a page of signed batches, as a pure function of the replica's cursor and
 * the hash of the last batch it applied. Signatures are checked before (exchange/verify.ts).
 *
 * Invariants (each has a test in test/border/apply.test.ts):
 *  A1  a change is applied only if its seq is exactly cursor + 1 at the time (no gaps, no reordering);
 *  A2  a batch wholly at or below the cursor is a duplicate: a no-op if its hash is the one applied,
 *      a replay (refused) if the same sequence numbers arrive with another body;
 *  A3  a page whose first new batch does not start at cursor + 1 is a gap: nothing of it is applied
 *      and the follower refetches from its cursor;
 *  A4  a batch whose changes are not exactly firstSeq…lastSeq in order is refused, with its whole page;
 *  A5  a batch that continues the cursor must name the last applied batch as its predecessor
 *      (`prevHash`): a reordered or forged chain is refused.
 */
import type { Change, SignedBatch } from './protocol.js';
import type { RejectReason } from './verify.js';

export interface BatchToApply {
  lastSeq: number;
  hash: string;
  changes: Change[];
}

export type PagePlan =
  | { action: 'apply'; batches: BatchToApply[]; skipped: number }
  | { action: 'duplicate'; skipped: number }
  | { action: 'reject'; reason: RejectReason; detail: string };

function wellFormed(b: SignedBatch): string | null {
  if (b.lastSeq < b.firstSeq || b.changes.length !== b.lastSeq - b.firstSeq + 1) {
    return `batch ${b.firstSeq}–${b.lastSeq} holds ${b.changes.length} changes`;
  }
  for (let i = 0; i < b.changes.length; i++) {
    if (b.changes[i]!.seq !== b.firstSeq + i) return `batch ${b.firstSeq}–${b.lastSeq}: change ${i} has seq ${b.changes[i]!.seq}`;
  }
  return null;
}

/**
 * @param knownHashes hashes of already-applied batches, by lastSeq, for those at or below the cursor
 *                    (missing entries are batches from before the replica's snapshot).
 */
export function planPage(cursor: number, lastHash: string, batches: readonly SignedBatch[], knownHashes: ReadonlyMap<number, string>): PagePlan {
  const out: BatchToApply[] = [];
  let skipped = 0;
  let at = cursor;
  let hash = lastHash;
  for (const b of batches) {
    const problem = wellFormed(b);
    if (problem) return { action: 'reject', reason: 'disorder', detail: problem };
    if (b.lastSeq <= at) {
      if (out.length > 0) return { action: 'reject', reason: 'disorder', detail: `batch ${b.firstSeq}–${b.lastSeq} comes after ${at}` };
      const known = knownHashes.get(b.lastSeq);
      if (known !== undefined && known !== b.hash) {
        return { action: 'reject', reason: 'replayed', detail: `batch ${b.firstSeq}–${b.lastSeq} was applied with another body (hash ${known.slice(0, 12)}…, now ${b.hash.slice(0, 12)}…)` };
      }
      skipped++;
      continue;
    }
    if (b.firstSeq > at + 1) {
      return out.length === 0
        ? { action: 'reject', reason: 'gap', detail: `expected a batch starting at ${at + 1}, got ${b.firstSeq}` }
        : { action: 'reject', reason: 'disorder', detail: `batch ${b.firstSeq}–${b.lastSeq} does not follow ${at}` };
    }
    if (b.firstSeq === at + 1) {
      if (b.prevHash !== hash) {
        return { action: 'reject', reason: 'broken-chain', detail: `batch ${b.firstSeq}–${b.lastSeq} names predecessor ${b.prevHash.slice(0, 12) || '(none)'}…, but the last applied is ${hash.slice(0, 12) || '(none)'}…` };
      }
      out.push({ lastSeq: b.lastSeq, hash: b.hash, changes: b.changes });
    } else {
      // The cursor falls inside this batch (a snapshot cut mid-batch): apply only its new part.
      out.push({ lastSeq: b.lastSeq, hash: b.hash, changes: b.changes.filter((c) => c.seq > at) });
    }
    at = b.lastSeq;
    hash = b.hash;
  }
  return out.length > 0 ? { action: 'apply', batches: out, skipped } : { action: 'duplicate', skipped };
}
