/**
 * Deciding what to do with a batch from the change feed, as a pure function of the replica's cursor.
 *
 * Invariants (each has a test in test/border/apply.test.ts):
 *  A1  a change is applied only if its seq is exactly cursor + 1 at the time (no gaps, no reordering);
 *  A2  a change with seq ≤ cursor is a duplicate and is skipped (idempotence);
 *  A3  a batch whose new part does not start at cursor + 1 is a gap: nothing of it is applied and the
 *      follower refetches from its cursor;
 *  A4  a batch whose sequence numbers are not strictly consecutive is refused whole.
 */
import type { Change } from '../exchange/protocol.js';

export type BatchPlan =
  | { action: 'apply'; changes: Change[]; skipped: number }
  | { action: 'duplicate'; skipped: number }
  | { action: 'gap'; expected: number; got: number }
  | { action: 'disorder'; at: number; detail: string };

export function planBatch(cursor: number, changes: readonly Change[]): BatchPlan {
  for (let i = 1; i < changes.length; i++) {
    const prev = changes[i - 1]!.seq;
    const seq = changes[i]!.seq;
    if (seq !== prev + 1) {
      return { action: 'disorder', at: i, detail: `change ${i} has seq ${seq} after ${prev}; a batch must be consecutive` };
    }
  }
  const fresh = changes.filter((c) => c.seq > cursor);
  const skipped = changes.length - fresh.length;
  if (fresh.length === 0) return { action: 'duplicate', skipped };
  if (fresh[0]!.seq !== cursor + 1) return { action: 'gap', expected: cursor + 1, got: fresh[0]!.seq };
  return { action: 'apply', changes: fresh, skipped };
}
