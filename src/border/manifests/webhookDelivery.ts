/**
 * Delivering carriers' webhooks from the outbox (ManifestStore): each due delivery is POSTed, signed
 * (webhookSignature.ts), and removed only once the carrier's server answers 2xx — at least once, never
 * lost to a restart (the outbox is in the store). A failure is retried with exponential backoff (1 s,
 * 2 s, 4 s … capped at 10 minutes) with some jitter, so a carrier down for an hour is not hammered
 * and gets everything when it is back. Runs in the process that applies the feed; poked when a pass
 * queues deliveries, and polls on an interval for retries that fall due.
 */
import { DELIVERY_HEADER, signDelivery, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhookSignature.js';
import type { Logger } from '../../shared/log.js';
import type { Delivery, ManifestStore } from './manifestStore.js';
import { CoalescedRounds } from '../../shared/coalescedRounds.js';

export interface WebhookDeliveryOptions {
  store: ManifestStore;
  log: Logger;
  /** How often due retries are looked for (ms, default 1,000). */
  pollMs?: number;
  /** Per attempt (ms, default 5,000). */
  timeoutMs?: number;
  /** First retry delay (ms, default 1,000); doubled per attempt up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  now?: () => Date;
}

export function backoffDelay(attempts: number, baseMs: number, maxMs: number, random = Math.random): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

export class WebhookDelivery {
  private timer: NodeJS.Timeout | null = null;
  private readonly rounds = new CoalescedRounds(
    () => this.round(),
    (err) => this.options.log.error({ err }, 'webhook delivery round failed'),
    () => this.stopped,
  );
  private stopped = false;
  delivered = 0;
  failures = 0;

  constructor(private readonly options: WebhookDeliveryOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.poke(), this.options.pollMs ?? 1000);
    this.timer.unref();
    void this.poke();
  }

  /** Delivers what is due now; a poke while delivering asks for one more round after it. */
  poke(): Promise<void> {
    return this.rounds.request();
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  private async round(): Promise<void> {
    for (;;) {
      const due = await this.options.store.dueDeliveries(this.now().toISOString(), 20);
      if (due.length === 0 || this.stopped) return;
      await Promise.all(due.map((d) => this.attempt(d)));
    }
  }

  private async attempt(d: Delivery): Promise<void> {
    const { store, log } = this.options;
    const timestamp = Math.floor(this.now().getTime() / 1000);
    let problem: string;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signDelivery(d.secret, timestamp, d.body), [TIMESTAMP_HEADER]: String(timestamp), [DELIVERY_HEADER]: String(d.deliveryId) },
        body: d.body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
        redirect: 'manual',
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.ok) {
        await store.delivered(d.deliveryId);
        this.delivered++;
        return;
      }
      problem = `the carrier's server answered ${res.status}`;
    } catch (err) {
      problem = `could not reach the carrier's server: ${(err as Error).message}`;
    }
    this.failures++;
    const next = new Date(this.now().getTime() + backoffDelay(d.attempts, this.options.backoffMs ?? 1000, this.options.maxBackoffMs ?? 600_000));
    // The carrier and delivery id only: the body names travellers.
    log.warn({ carrier: d.carrier, deliveryId: d.deliveryId, attempts: d.attempts + 1, nextAt: next.toISOString(), problem }, 'webhook delivery failed; will retry');
    await store.failed(d.deliveryId, next.toISOString(), problem);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.rounds.idle();
  }
}
