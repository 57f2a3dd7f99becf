/**
 * Telling the person and transparency, composed for a register process: the adapters the outbox is
 * delivered by (e-mail when an SMTP URL is given, the signed webhook always), the delivery loop, the
 * outbox gauge, and the relief tracker that watches lifts commit and followers' cursors pass them.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { NoticeChannel } from '../../domain/notice.js';
import { type DeliveryOptions, type NoticeSender, startNoticeDelivery } from '../../register/noticeDelivery.js';
import type { RegisterStore } from '../../register/registerStore.js';
import { liftSeqs, ReliefTimes } from '../../register/reliefTimes.js';
import type { ServiceMetrics } from '../../shared/metrics.js';
import type { FeedObserver } from '../../transport/http/feedRoutes.js';
import { emailSender } from '../../transport/notify/email.js';
import { webhookSender } from '../../transport/notify/webhook.js';
import { loadWebhookSecret } from '../../transport/notify/webhookSecret.js';

export interface NoticeOptions {
  /** smtp:// or smtps:// URL of the mail relay (ERX_SMTP_URL); without it, e-mail notices cannot be sent. */
  smtp?: string;
  /** The From address of notices (ERX_MAIL_FROM; default "erx register <no-reply@localhost>"). */
  mailFrom?: string;
  /** Retry and backoff (register/noticeDelivery.ts; tests shorten them). */
  delivery?: Omit<DeliveryOptions, 'senders'>;
}

export const DEFAULT_MAIL_FROM = 'erx register <no-reply@localhost>';

export function startRegisterNotices(dataDir: string, store: RegisterStore, metrics: ServiceMetrics, log: FastifyBaseLogger, options: NoticeOptions) {
  const senders: Partial<Record<NoticeChannel, NoticeSender>> = { webhook: webhookSender(loadWebhookSecret(dataDir)) };
  const smtp = options.smtp ?? process.env.ERX_SMTP_URL;
  const mail = smtp ? emailSender({ url: smtp, from: options.mailFrom ?? process.env.ERX_MAIL_FROM ?? DEFAULT_MAIL_FROM }) : null;
  if (mail) senders.email = mail;
  const channels = Object.keys(senders) as NoticeChannel[];
  const delivery = startNoticeDelivery(store, {
    ...options.delivery,
    senders,
    // Ids and channels only: the address and the event stay in the database.
    onFailure: (f) => (f.gaveUp ? log.error({ notification: f.id, channel: f.channel, attempts: f.attempts, error: f.error }, 'notification given up') : log.warn({ notification: f.id, channel: f.channel, attempts: f.attempts, error: f.error }, 'notification attempt failed')),
  });
  metrics.gauge('erx_register_notifications', 'Notifications in the outbox by state (pending: to be sent; failed: given up)', ['state'], async function () {
    const c = await store.notices.counts();
    this.set({ state: 'pending' }, c.pending);
    this.set({ state: 'failed' }, c.failed);
  });

  const relief = new ReliefTimes();
  let seen = -1;
  const stopWatching = store.onCommit((head) => {
    const from = seen;
    seen = head;
    if (from < 0) return; // the first commit only sets the mark: nothing is waited for before this process started
    store
      .batchesAfter(from, Math.max(1, head - from))
      .then((batches) => {
        for (const b of batches) for (const seq of liftSeqs(b.changes)) if (seq <= head) relief.lifted(seq, Date.parse(b.committedAt));
      })
      .catch(() => undefined); // a figure lost, never a write
  });
  store.headSeq().then((h) => (seen = Math.max(seen, h)), () => undefined);

  /** The feed observer, also telling the relief tracker each follower's cursor. */
  const observing = (observer: FeedObserver): FeedObserver => ({
    ...observer,
    cursor: (client, after) => {
      observer.cursor?.(client, after);
      relief.cursor(client, after);
    },
  });

  return {
    relief,
    channels,
    observing,
    async close() {
      stopWatching();
      await delivery.stop();
      mail?.close();
    },
  };
}
