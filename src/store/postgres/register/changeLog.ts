/**
 * The register's change log on PostgreSQL as the feed serves it: the head, whole signed batches after
 * a cursor (read in one snapshot, so a compaction in between cannot tear them), the oldest seq still
 * held, and compaction, which drops whole old batches holding the writers' `head` lock and always keeps
 * the newest (its hash is where the chain continues).
 */
import type { Change, SignedBatch } from '../../../exchange/protocol.js';
import type { CompactionReport, Retention } from '../../../register/registerStore.js';
import { type BatchRow, type ChangeRow, changeOf } from '../../rows.js';
import { inTransaction } from '../db.js';
import type { RegisterDb } from './registerDb.js';

export async function headSeq(db: RegisterDb): Promise<number> {
  return (await db.pool.query<{ seq: number }>(`SELECT seq FROM ${db.s}.head`)).rows[0]!.seq;
}

/** Whole signed batches after `after`, at least one, as many more as fit in `maxChanges` changes. */
export async function batchesAfter(db: RegisterDb, after: number, maxChanges: number): Promise<SignedBatch[]> {
  const s = db.s;
  // One read snapshot for the batch list and their changes, so a compaction in between cannot tear them.
  return inTransaction(db.pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
    const rows = (await client.query<BatchRow>(`SELECT * FROM ${s}.batches WHERE last_seq > $1 ORDER BY last_seq LIMIT 1000`, [after])).rows;
    // Whole batches only (a signature covers a whole batch); at least one, however large.
    const taken: BatchRow[] = [];
    let changes = 0;
    for (const row of rows) {
      const size = row.last_seq - row.first_seq + 1;
      if (taken.length > 0 && changes + size > maxChanges) break;
      taken.push(row);
      changes += size;
    }
    if (taken.length === 0) return [];
    const all = (
      await client.query<ChangeRow>(`SELECT * FROM ${s}.changes WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, [taken[0]!.first_seq, taken[taken.length - 1]!.last_seq])
    ).rows.map(changeOf);
    let i = 0;
    return taken.map((row) => {
      const mine: Change[] = [];
      while (i < all.length && all[i]!.seq <= row.last_seq) {
        if (all[i]!.seq >= row.first_seq) mine.push(all[i]!);
        i++;
      }
      return {
        firstSeq: row.first_seq,
        lastSeq: row.last_seq,
        prevHash: row.prev_hash,
        committedAt: row.committed_at,
        changes: mine,
        hash: row.hash,
        keyId: row.key_id,
        signature: row.signature,
      };
    });
  });
}

/** The first seq the log still holds (head + 1 when it holds none). */
export async function oldestSeq(db: RegisterDb): Promise<number> {
  const row = (
    await db.pool.query<{ oldest: number | null; head: number }>(`SELECT (SELECT min(first_seq) FROM ${db.s}.batches) AS oldest, (SELECT seq FROM ${db.s}.head) AS head`)
  ).rows[0]!;
  return row.oldest ?? row.head + 1;
}

/**
 * Drops whole batches older than the retention window, holding the writers' lock. The newest batch
 * always stays (its hash is where the chain continues), so the head never moves back. The caller holds
 * this process's writers back (the store's queue) while it runs.
 */
export async function compact(db: RegisterDb, retention: Retention): Promise<CompactionReport> {
  const s = db.s;
  return inTransaction(db.pool, 'BEGIN', async (client) => {
    const head = (await client.query<{ seq: number }>(`SELECT seq FROM ${s}.head FOR UPDATE`)).rows[0]!.seq;
    let cut = 0;
    if (retention.keepChanges !== undefined) cut = Math.max(cut, head - retention.keepChanges);
    if (retention.keepSeconds !== undefined) {
      const before = new Date(Date.now() - retention.keepSeconds * 1000).toISOString();
      const row = (await client.query<{ seq: number | null }>(`SELECT max(last_seq) AS seq FROM ${s}.batches WHERE committed_at < $1`, [before])).rows[0]!;
      cut = Math.max(cut, row.seq ?? 0);
    }
    const newest = (await client.query<{ seq: number | null }>(`SELECT max(last_seq) AS seq FROM ${s}.batches`)).rows[0]!.seq;
    if (newest === null) return { removedBatches: 0, removedChanges: 0, oldestSeq: head + 1 };
    // only whole batches, and never the newest
    const upTo = (await client.query<{ seq: number | null }>(`SELECT max(last_seq) AS seq FROM ${s}.batches WHERE last_seq <= $1 AND last_seq < $2`, [cut, newest])).rows[0]!.seq ?? 0;
    const removedBatches = (await client.query(`DELETE FROM ${s}.batches WHERE last_seq <= $1`, [upTo])).rowCount ?? 0;
    const removedChanges = (await client.query(`DELETE FROM ${s}.changes WHERE seq <= $1`, [upTo])).rowCount ?? 0;
    const oldest = (await client.query<{ seq: number | null }>(`SELECT min(first_seq) AS seq FROM ${s}.batches`)).rows[0]!.seq;
    return { removedBatches, removedChanges, oldestSeq: oldest ?? head + 1 };
  });
}
