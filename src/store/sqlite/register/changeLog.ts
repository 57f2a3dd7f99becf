/**
 * The register's change log on SQLite as the feed reads it: the head, whole signed batches after a
 * sequence number (all, or only those carrying relief), the oldest change kept, and compaction, which
 * drops whole batches older than the retention window and never the newest (the chain continues from it).
 */
import type { SignedBatch } from '../../../exchange/protocol.js';
import type { CompactionReport, Retention } from '../../../register/registerStore.js';
import { changeOf } from '../../rows.js';
import type { RegisterDb } from './registerDb.js';

export function headSeq(r: RegisterDb): number {
  return r.stmt.head.get()?.head ?? 0;
}

export function batchesAfter(r: RegisterDb, after: number, maxChanges: number, options: { reliefOnly?: boolean } = {}): SignedBatch[] {
  const out: SignedBatch[] = [];
  let changes = 0;
  // Whole batches only (a signature covers a whole batch); at least one, however large.
  for (const row of (options.reliefOnly ? r.stmt.reliefBatchesAfter : r.stmt.batchesAfter).all(after, 1000)) {
    if (out.length > 0 && changes + (row.last_seq - row.first_seq + 1) > maxChanges) break;
    out.push({
      firstSeq: row.first_seq,
      lastSeq: row.last_seq,
      prevHash: row.prev_hash,
      committedAt: row.committed_at,
      changes: r.stmt.changeRange.all(row.first_seq, row.last_seq).map(changeOf),
      hash: row.hash,
      keyId: row.key_id,
      signature: row.signature,
    });
    changes += row.last_seq - row.first_seq + 1;
  }
  return out;
}

/** Sequence number of the oldest change still in the log (head + 1 when the log is empty). */
export function oldestSeq(r: RegisterDb): number {
  const row = r.db.prepare('SELECT min(first_seq) AS oldest FROM batches').get() as { oldest: number | null };
  return row.oldest ?? headSeq(r) + 1;
}

/**
 * Drops whole batches older than the retention window, in one transaction. The newest batch always
 * stays (its hash is where the chain continues), so the head never moves back.
 */
export function compact(r: RegisterDb, retention: Retention): CompactionReport {
  const head = headSeq(r);
  let cut = 0;
  if (retention.keepChanges !== undefined) cut = Math.max(cut, head - retention.keepChanges);
  if (retention.keepSeconds !== undefined) {
    const before = new Date(Date.now() - retention.keepSeconds * 1000).toISOString();
    const row = r.db.prepare('SELECT max(last_seq) AS seq FROM batches WHERE committed_at < ?').get(before) as { seq: number | null };
    cut = Math.max(cut, row.seq ?? 0);
  }
  const newest = r.stmt.lastBatch.get();
  if (!newest) return { removedBatches: 0, removedChanges: 0, oldestSeq: head + 1 };
  // only whole batches, and never the newest
  const boundary = r.db.prepare('SELECT max(last_seq) AS seq FROM batches WHERE last_seq <= ? AND last_seq < ?').get(cut, newest.last_seq) as { seq: number | null };
  const upTo = boundary.seq ?? 0;
  const result = r.db.transaction(() => {
    const batches = r.db.prepare('DELETE FROM batches WHERE last_seq <= ?').run(upTo).changes;
    const changes = r.db.prepare('DELETE FROM changes WHERE seq <= ?').run(upTo).changes;
    return { removedBatches: batches, removedChanges: changes };
  })();
  return { ...result, oldestSeq: oldestSeq(r) };
}
