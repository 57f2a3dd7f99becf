/**
 * Delivering the outbox (register/noticeOutbox.ts), at least once: every due row is handed to the
 * sender of its channel; it is marked delivered only after the sender succeeded, so a crash (kill -9)
 * anywhere leaves it pending and it is sent after the restart — and a crash between a successful send
 * and the mark sends it twice. Receivers dedupe by the notification id (a header of both adapters).
 *
 * A failed attempt is tried again after an exponential backoff (base · 2^(attempt-1), capped); after
 * `maxAttempts` the row is given up and counted as failed, for operations to see (metric and console).
 * Notices to one address leave in the order they were written: a later one waits while an earlier one
 * is being retried (the outbox's `due` holds it back), so "lifted" never overtakes its "in force".
 */
import type { NoticeChannel } from '../domain/notice.js';
import type { OutboxEntry } from './noticeOutbox.js';
import type { RegisterStore } from './registerStore.js';

/** Sends one notice over one channel; throws when it was not accepted. */
export interface NoticeSender {
  send(entry: OutboxEntry): Promise<void>;
}

export interface DeliveryOptions {
  senders: Partial<Record<NoticeChannel, NoticeSender>>;
  /** Attempts before giving up (default 8: with the default delays, about 2 hours). */
  maxAttempts?: number;
  /** Delay after the first failure (default 30 s); doubled after each. */
  baseDelayMs?: number;
  /** The longest delay between attempts (default 1 hour). */
  maxDelayMs?: number;
  /** How often to look for due rows when no commit wakes the loop (default 1 s). */
  pollMs?: number;
  /** Rows taken per look (default 20). */
  batch?: number;
  /** Told of each failed attempt, without personal data: the row id, channel, attempt and whether it gave up. */
  onFailure?: (info: { id: number; channel: NoticeChannel; attempts: number; gaveUp: boolean; error: string }) => void;
}

export const DEFAULT_DELIVERY = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 3_600_000, pollMs: 1000, batch: 20 } as const;

/** The wait after the `attempts`-th failure. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
}

export interface NoticeDelivery {
  /** Sends what is due now; resolves with how many rows it handled (delivered or failed). */
  runOnce(now?: Date): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the loop over `store`'s outbox; commits wake it (a new notice goes out within the commit's turn). */
export function startNoticeDelivery(store: Pick<RegisterStore, 'notices' | 'onCommit'>, options: DeliveryOptions): NoticeDelivery {
  const o = { ...DEFAULT_DELIVERY, ...options };
  const outbox = store.notices;
  let stopped = false;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | null = null;

  const attempt = async (entry: OutboxEntry, now: Date) => {
    const sender = o.senders[entry.channel];
    try {
      if (!sender) throw new Error(`no ${entry.channel} adapter is configured on this register`);
      await sender.send(entry);
    } catch (err) {
      const attempts = entry.attempts + 1;
      const gaveUp = attempts >= o.maxAttempts;
      const error = err instanceof Error ? err.message : String(err);
      const next = gaveUp ? null : new Date(now.getTime() + backoffMs(attempts, o.baseDelayMs, o.maxDelayMs)).toISOString();
      await outbox.failedAttempt(entry.id, attempts, error.slice(0, 500), next, now.toISOString());
      o.onFailure?.({ id: entry.id, channel: entry.channel, attempts, gaveUp, error: (err as { code?: string }).code ?? 'send failed' });
      return;
    }
    await outbox.delivered(entry.id, new Date().toISOString());
  };

  const runOnce = async (now = new Date()) => {
    const due = await outbox.due(now.toISOString(), o.batch);
    for (const entry of due) {
      if (stopped) break;
      await attempt(entry, now);
    }
    return due.length;
  };

  const loop = (async () => {
    while (!stopped) {
      let handled = 0;
      try {
        handled = await runOnce();
      } catch {
        // The database is away for a moment: the rows stay pending and the next turn tries again.
      }
      // Anything handled may have released a notice held behind it (the outbox keeps each address's
      // order), so look again at once; only an empty look waits.
      if (stopped || handled > 0) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, o.pollMs);
      });
      wake = null;
      if (timer) clearTimeout(timer);
    }
  })();
  const unsubscribe = store.onCommit(() => wake?.());

  return {
    runOnce,
    async stop() {
      stopped = true;
      unsubscribe();
      wake?.();
      await loop;
    },
  };
}
