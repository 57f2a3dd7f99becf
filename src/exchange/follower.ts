/**
 * A replica's sync loop: bootstrap from a snapshot, then follow the change feed from its cursor.
 *
 *   bootstrapping ──snapshot complete──▶ following ◀──batch applied / nothing new──┐
 *        ▲                                  │  └────────────────────────────────────┘
 *        └──────── no state ────────────────┤ error / gap / disorder
 *                                           ▼
 *                                       retrying ──backoff──▶ following
 *
 * Invariants:
 *  F1  a change is applied once, in sequence order (planBatch A1–A4 and the store's cursor check);
 *  F2  the cursor moves in the same transaction as the changes it covers, so a killed replica resumes
 *      exactly where it stopped;
 *  F3  a bootstrap that did not see the snapshot's trailer is discarded, never half-applied.
 */
import { EventEmitter } from 'node:events';
import { planBatch } from '../border/apply.js';
import type { ReplicaStore } from '../border/store.js';
import { CursorMoved } from '../border/store.js';
import type { Logger } from '../shared/log.js';
import { FeedError, type FeedClient } from '../transport/feedClient.js';
import type { SnapshotRecord } from './protocol.js';

export type SyncState = 'starting' | 'bootstrapping' | 'following' | 'retrying' | 'stopped';

export interface FollowerOptions {
  store: ReplicaStore;
  client: FeedClient;
  log: Logger;
  batchSize?: number;
  /** How long a caught-up replica's request waits at the feed for news (ms). */
  longPollMs?: number;
  onBootstrapProgress?: (done: number, total: number) => void;
}

const BOOTSTRAP_CHUNK = 2000;
const MAX_BACKOFF_MS = 5000;

export class Follower extends EventEmitter {
  state: SyncState = 'starting';
  lastContactAt: Date | null = null;
  lastError: string | null = null;
  /** When the current long-poll began with nothing left to apply; null if not caught up and listening. */
  listeningSince: Date | null = null;
  counters = { batchesApplied: 0, changesApplied: 0, duplicates: 0, gaps: 0, disorders: 0, errors: 0, bootstraps: 0 };
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;

  constructor(private readonly options: FollowerOptions) {
    super();
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    this.state = 'stopped';
  }

  /** Resolves once the replica's cursor reaches `seq` (or rejects after `timeoutMs`). */
  async waitFor(seq: number, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { cursor } = await this.options.store.state();
      if (cursor !== null && cursor >= seq) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`replica did not reach seq ${seq} within ${timeoutMs} ms (at ${cursor})`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.off('applied', done);
          this.off('bootstrapped', done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 200));
        this.once('applied', done);
        this.once('bootstrapped', done);
      });
    }
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.abort.signal.aborted) {
      try {
        const { cursor } = await this.options.store.state();
        if (cursor === null) await this.bootstrap();
        else await this.step(cursor);
        backoff = 100;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.counters.errors++;
        this.listeningSince = null;
        this.state = 'retrying';
        this.lastError = err instanceof Error ? err.message : String(err);
        this.options.log.warn({ err: this.lastError, retryInMs: backoff }, 'sync failed; retrying');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.abort.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }

  private async bootstrap(): Promise<void> {
    const { store, client, log } = this.options;
    this.state = 'bootstrapping';
    log.info({ source: client.source }, 'bootstrapping from snapshot');
    const started = Date.now();
    const writer = await store.beginBootstrap();
    let header: { asOfSeq: number; registerTime: string; records: number } | null = null;
    let chunk: SnapshotRecord[] = [];
    let done = 0;
    for await (const line of client.snapshot(this.abort.signal)) {
      if (line.type === 'header') {
        header = line;
        this.options.onBootstrapProgress?.(0, line.records);
      } else if (line.type === 'end') {
        if (!header || line.asOfSeq !== header.asOfSeq || line.records !== done + chunk.length) {
          throw new FeedError(`snapshot trailer does not match its contents (${done + chunk.length} records read, ${line.records} announced)`, 0);
        }
        await writer.write(chunk);
        done += chunk.length;
        await writer.finish(header.asOfSeq, header.registerTime);
        this.counters.bootstraps++;
        this.options.onBootstrapProgress?.(done, header.records);
        log.info({ records: done, asOfSeq: header.asOfSeq, seconds: (Date.now() - started) / 1000 }, 'bootstrap complete');
        this.lastContactAt = new Date();
        this.state = 'following';
        this.emit('bootstrapped', header.asOfSeq);
        return;
      } else {
        if (!header) throw new FeedError('snapshot began without a header', 0);
        chunk.push(line);
        if (chunk.length >= BOOTSTRAP_CHUNK) {
          await writer.write(chunk);
          done += chunk.length;
          chunk = [];
          this.options.onBootstrapProgress?.(done, header.records);
        }
      }
    }
    throw new FeedError(`snapshot ended after ${done + chunk.length} records without its trailer; discarded`, 0);
  }

  private async step(cursor: number): Promise<void> {
    const { store, client, log } = this.options;
    const state = await store.state();
    const caughtUp = cursor >= state.registerSeq;
    const wait = caughtUp ? (this.options.longPollMs ?? 10_000) : 0;
    this.state = 'following';
    this.listeningSince = caughtUp && this.lastContactAt ? new Date() : null;
    const batch = await client.changes(cursor, this.options.batchSize ?? 1000, wait, this.abort.signal);
    this.listeningSince = null;
    this.lastContactAt = new Date();
    this.lastError = null;
    const plan = planBatch(cursor, batch.changes);
    switch (plan.action) {
      case 'apply': {
        try {
          await store.applyChanges(cursor, plan.changes, batch.registerSeq, batch.registerTime);
        } catch (err) {
          if (err instanceof CursorMoved) return; // someone else applied it; re-read the cursor
          throw err;
        }
        this.counters.batchesApplied++;
        this.counters.changesApplied += plan.changes.length;
        const last = plan.changes[plan.changes.length - 1]!.seq;
        this.emit('applied', last);
        return;
      }
      case 'duplicate':
        if (plan.skipped > 0) this.counters.duplicates++;
        await store.noteContact(batch.registerSeq, batch.registerTime, cursor >= batch.registerSeq);
        if (batch.changes.length === 0) this.emit('applied', cursor);
        return;
      case 'gap':
        this.counters.gaps++;
        log.warn({ expected: plan.expected, got: plan.got }, 'gap in the change feed; refetching from the cursor');
        return;
      case 'disorder':
        this.counters.disorders++;
        log.warn({ detail: plan.detail }, 'change batch out of order; refused whole and refetching');
        await this.sleep(200);
        return;
    }
  }
}
