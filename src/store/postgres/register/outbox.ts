/**
 * The notification outbox on PostgreSQL (register/noticeOutbox.ts): plain statements on the pool, each
 * its own transaction; they see committed rows only, so a notice is never sent before its change commits.
 */
import type { NoticeOutbox, OutboxCounts } from '../../../register/noticeOutbox.js';
import { noEarlierPendingNotice, type NoticeRow, outboxEntryOf } from '../../rows.js';
import type { RegisterDb } from './registerDb.js';

export function postgresOutbox(db: RegisterDb, ready: Promise<void>): NoticeOutbox {
  const s = db.s;
  const query = async <R extends object>(sql: string, params: unknown[]) => {
    await ready;
    return (await db.pool.query<R>(sql, params)).rows;
  };
  return {
    due: async (now, limit) =>
      (
        await query<NoticeRow>(
          `SELECT * FROM ${s}.notices n WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
             AND ${noEarlierPendingNotice(`${s}.notices`)} ORDER BY next_attempt_at, id LIMIT $2`,
          [now, limit],
        )
      ).map(outboxEntryOf),
    delivered: async (id, at) => void (await query(`UPDATE ${s}.notices SET delivered_at = $1 WHERE id = $2 AND delivered_at IS NULL`, [at, id])),
    failedAttempt: async (id, attempts, error, next, at) =>
      void (await query(
        `UPDATE ${s}.notices SET attempts = $2, last_error = $3, next_attempt_at = coalesce($4, next_attempt_at),
           failed_at = CASE WHEN $4::text IS NULL THEN $5 END WHERE id = $1 AND delivered_at IS NULL`,
        [id, attempts, error, next, at],
      )),
    counts: async () => {
      const row = (
        await query<Record<keyof OutboxCounts, string>>(
          `SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
                  count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
                  count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered FROM ${s}.notices`,
          [],
        )
      )[0]!;
      return { pending: Number(row.pending), failed: Number(row.failed), delivered: Number(row.delivered) };
    },
    about: async (personId) => (await query<NoticeRow>(`SELECT * FROM ${s}.notices WHERE person_id = $1 ORDER BY id`, [personId])).map(outboxEntryOf),
  };
}
