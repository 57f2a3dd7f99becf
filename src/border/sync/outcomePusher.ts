/**
 * Sends this replica's outcomes of screenings upstream (POST /v1/outcomes at the service it follows: the
 * register, or a centre that relays them to it), resumably: the store keeps how far the upstream
 * acknowledged, and every push sends what is beyond that, in order, in reports of at most 500. The
 * upstream takes an outcome it already holds as a no-op, so a report lost after it was kept is simply
 * sent again. Pushed at once when an outcome is recorded (`kick`); while the upstream is unreachable or
 * refuses, retried with exponential backoff (from 250 ms to 10 s), and whatever is pending is
 * also retried on a slow interval, so an outcome recorded while offline arrives when the upstream is back.
 */
import type { PublicKeyInfo } from '../../exchange/keys.js';
import type { ReplicaStore } from '../replicaStore.js';

export const MAX_OUTCOMES_PER_REPORT = 500;

export interface PusherLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface OutcomePusherOptions {
  store: Pick<ReplicaStore, 'outcomesAfter' | 'outcomesAcknowledged' | 'acknowledgeOutcomes'>;
  /** The base URL of the service followed. */
  upstreamUrl: string;
  token?: string | undefined;
  /** This replica's published audit keys: the register learns a rotation from their endorsement. */
  keys: () => PublicKeyInfo[];
  log: PusherLog;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How often pending outcomes are retried when nothing kicks (default 5 s). */
  idleCheckMs?: number;
  timeoutMs?: number;
}

export class OutcomePusher {
  private readonly endpoint: string;
  private running = false;
  private wake: (() => void) | null = null;
  private kicked = false;
  private loop: Promise<void> | null = null;
  private lastRefusal: string | null = null;
  /** Outcomes sent and acknowledged since start; for status and tests. */
  sent = 0;

  constructor(private readonly options: OutcomePusherOptions) {
    this.endpoint = options.upstreamUrl.replace(/\/+$/, '') + '/v1/outcomes';
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** An outcome was recorded: push now. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private async run(): Promise<void> {
    const min = this.options.minBackoffMs ?? 250;
    const max = this.options.maxBackoffMs ?? 10_000;
    let backoff = min;
    while (this.running) {
      this.kicked = false;
      const outcome = await this.pushOnce().catch((err: Error) => {
        this.options.log.warn({ err: err.message }, 'outcomes not pushed; retrying');
        return 'failed' as const;
      });
      if (!this.running) break;
      if (outcome === 'failed') {
        await this.sleep(backoff);
        backoff = Math.min(max, backoff * 2);
        continue;
      }
      backoff = min;
      if (outcome === 'more' || this.kicked) continue;
      await this.sleep(this.options.idleCheckMs ?? 5_000);
    }
  }

  /** One report: 'idle' when nothing is pending, 'more' when more is, 'failed' when it did not go through. */
  private async pushOnce(): Promise<'idle' | 'more' | 'failed'> {
    const { store, log } = this.options;
    const acked = await store.outcomesAcknowledged();
    const pending = await store.outcomesAfter(acked, MAX_OUTCOMES_PER_REPORT);
    if (pending.length === 0) return 'idle';
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}) },
        body: JSON.stringify({ keys: this.options.keys(), outcomes: pending }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      log.warn({ upstream: this.endpoint, err: (err as Error).message, pending: pending.length }, 'outcomes not sent upstream yet; retrying');
      return 'failed';
    }
    const body = (await res.json().catch(() => ({}))) as { acknowledged?: number; error?: string };
    if (!res.ok || typeof body.acknowledged !== 'number') {
      const reason = `${res.status} ${body.error ?? res.statusText}`;
      if (reason !== this.lastRefusal) {
        (res.status >= 500 ? log.warn : log.error).call(log, { upstream: this.endpoint, reason, firstN: pending[0]!.outcome.n }, 'the upstream refused outcomes');
        this.lastRefusal = reason;
      }
      return 'failed';
    }
    this.lastRefusal = null;
    await store.acknowledgeOutcomes(body.acknowledged);
    this.sent += Math.max(0, body.acknowledged - acked);
    // Acknowledged short of what was sent (a gap upstream): back off rather than resend in a tight loop.
    if (body.acknowledged < pending[pending.length - 1]!.outcome.n) return 'failed';
    return pending.length === MAX_OUTCOMES_PER_REPORT ? 'more' : 'idle';
  }
}
