/**
 * The notification outbox: the port the delivery loop (register/noticeDelivery.ts) works through.
 * Rows are written by RegisterTx.queueNotice inside the transaction of the change that causes them,
 * so a committed change always has its notices and a rolled-back one never does. Implemented next to
 * each register store (store/sqlite/register/outbox.ts, store/postgres/register/outbox.ts).
 *
 * Guarantees an implementation must give:
 *  - Committed only: `due` never returns a row of a transaction that has not committed.
 *  - Durable: a row stays pending until `delivered` or the give-up of `failedAttempt` is committed, so
 *    a crash anywhere leaves it to be sent again (at least once; a crash between a successful send and
 *    `delivered` sends it twice).
 *  - Never deleted: delivered and given-up rows stay, for operations and the record.
 */
import type { QueuedNotice } from '../domain/notice.js';

export interface OutboxEntry extends QueuedNotice {
  id: number;
  createdAt: string;
  /** Failed attempts so far. */
  attempts: number;
  nextAttemptAt: string;
}

export interface OutboxCounts {
  /** Waiting for their first or next attempt. */
  pending: number;
  /** Given up after the last allowed attempt: operations must look. */
  failed: number;
  delivered: number;
}

export interface NoticeOutbox {
  /** Pending rows whose next attempt is due at `now`, oldest first, at most `limit`. */
  due(now: string, limit: number): Promise<OutboxEntry[]>;
  delivered(id: number, at: string): Promise<void>;
  /** A failed attempt: try again at `nextAttemptAt`, or give up when it is null. */
  failedAttempt(id: number, attempts: number, error: string, nextAttemptAt: string | null, at: string): Promise<void>;
  counts(): Promise<OutboxCounts>;
  /** Every row about a person, oldest first (tests and the record). */
  about(personId: string): Promise<(OutboxEntry & { deliveredAt: string | null; failedAt: string | null; lastError: string | null })[]>;
}
