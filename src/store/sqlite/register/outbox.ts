/**
 * The notification outbox on SQLite (register/noticeOutbox.ts). Its writes go through the store's
 * queue (`serialised`): on the one connection, a write made while a register transaction is open would
 * join that transaction — and a read would see its uncommitted notices.
 */
import type { NoticeOutbox, OutboxCounts } from '../../../register/noticeOutbox.js';
import { noEarlierPendingNotice, type NoticeRow, outboxEntryOf } from '../../rows.js';
import type { RegisterDb } from './registerDb.js';

export function sqliteOutbox(r: RegisterDb, serialised: <T>(run: () => Promise<T>) => Promise<T>): NoticeOutbox {
  const due = r.db.prepare<[string, number], NoticeRow>(
    `SELECT * FROM notices n WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
       AND ${noEarlierPendingNotice('notices')} ORDER BY next_attempt_at, id LIMIT ?`,
  );
  const delivered = r.db.prepare('UPDATE notices SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL');
  const failed = r.db.prepare(
    'UPDATE notices SET attempts = @attempts, last_error = @error, next_attempt_at = coalesce(@next, next_attempt_at), failed_at = CASE WHEN @next IS NULL THEN @at END WHERE id = @id AND delivered_at IS NULL',
  );
  const counts = r.db.prepare<[], OutboxCounts>(
    `SELECT count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL) AS pending,
            count(*) FILTER (WHERE failed_at IS NOT NULL) AS failed,
            count(*) FILTER (WHERE delivered_at IS NOT NULL) AS delivered FROM notices`,
  );
  const about = r.db.prepare<[string], NoticeRow>('SELECT * FROM notices WHERE person_id = ? ORDER BY id');
  return {
    due: (now, limit) => serialised(async () => due.all(now, limit).map(outboxEntryOf)),
    delivered: (id, at) => serialised(async () => void delivered.run(at, id)),
    failedAttempt: (id, attempts, error, next, at) => serialised(async () => void failed.run({ id, attempts, error, next, at })),
    counts: () => serialised(async () => counts.get()!),
    about: (personId) => serialised(async () => about.all(personId).map(outboxEntryOf)),
  };
}
