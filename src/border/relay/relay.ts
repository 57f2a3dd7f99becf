/**
 * Tiers: a replica that serves the register's exchange feed onward. The border service runs a central
 * database that follows the register (another agency's), and checkpoints that follow the centre:
 *
 *   register ──signed snapshot + batches──▶ centre (erx border serve --serve-feed) ──same bytes──▶ checkpoints
 *
 * The centre passes the register's signed snapshot and batches through unchanged (archive.ts keeps
 * them), so a checkpoint verifies the register's signatures and hash chain however many tiers away it
 * is, and a centre that altered anything would be refused like any other forger. The centre answers
 * with the same routes as the register (transport/http/feedRoutes.ts, over this FeedSource):
 *
 *   snapshot   the register's snapshot the centre stored (from its own bootstrap, or fetched fresh);
 *   changes    the archived batches after a cursor, long-polled: a request waits until the centre has
 *              archived something newer;
 *   keys       the register keys the centre trusts (so a rotation reaches checkpoints through it);
 *   head claim the newest register-signed head claim the centre's follower verified, unchanged (a
 *              centre cannot make one): a checkpoint is as current as the register said, never as
 *              the centre says; a waiting long-poll is answered as soon as a newer claim arrives;
 *   digest, bucket snapshots (anti-entropy)
 *              asked of the register and passed through, held until the centre's archive has reached
 *              the sequence number they describe, so the checkpoint can advance to it through the centre.
 *
 * How the archive keeps up (it must hold every batch the centre applied, and more never hurts):
 *  T1  each page the centre's follower applies is appended as it was received ('pageApplied');
 *  T2  when the archive lags — a crash between the replica's commit and the archive's, the relay
 *      switched on for an existing replica, a page that does not continue the chain — it refetches
 *      the missing batches from upstream and verifies them before appending (they are signed, so
 *      refetching is always possible while upstream keeps them);
 *  T3  when upstream no longer keeps them (410), or the archive since the snapshot has outgrown the
 *      snapshot, a fresh register snapshot is fetched, verified and stored, after the archive has
 *      reached it where possible (so checkpoints already past it lose nothing); archived batches
 *      behind the snapshot are dropped after the retention period, as the register does.
 */
import { EventEmitter } from 'node:events';
import type { ReplicaStore } from '../replicaStore.js';
import { ErxError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { FeedError, type FeedClient, type RemoteDigest } from '../sync/feedClient.js';
import type { FeedSource } from '../../exchange/feedSource.js';
import type { Follower } from '../sync/follower.js';
import { type HeadClaim, newerClaim } from '../../exchange/headClaim.js';
import type { PublicKeyInfo } from '../../exchange/keys.js';
import { type SignedBatch, snapshotDigest, type SnapshotLine } from '../../exchange/protocol.js';
import type { ReplicaTrust } from '../sync/trust.js';
import { BatchRejected, verifyManifest } from '../../exchange/verify.js';
import { RelayArchive, type SnapshotSink, type StoredSnapshot } from './archive.js';

export interface RelayOptions {
  dataDir: string;
  /** The feed above over HTTP (the register, or a relay nearer to it): refills, fresh snapshots, anti-entropy. */
  upstream: FeedClient;
  trust: ReplicaTrust;
  log: Logger;
  /** Archived batches behind the snapshot and older than this are dropped (seconds; default 30 days, as the register). */
  retainSeconds?: number;
  /** How often the relay checks itself: refill, retention, a fresh snapshot (ms). */
  checkEveryMs?: number;
  /** How long a passed-through digest or bucket snapshot may wait for the archive to reach it (ms). */
  holdMs?: number;
}

export interface RelayStatus {
  /** The stored register snapshot, or null before there is one (the feed answers 503 until then). */
  snapshot: StoredSnapshot | null;
  /** The chain served: from after `oldestSeq - 1` to `headSeq`. */
  oldestSeq: number | null;
  headSeq: number | null;
  archivedSinceSnapshot: number;
  lastError: string | null;
}

class Restart410 extends Error {}

export class FeedRelay extends EventEmitter implements FeedSource {
  private readonly archive: RelayArchive;
  private follower: Follower | null = null;
  private store: ReplicaStore | null = null;
  private freshness: (() => Promise<{ dataAsOf: string | null }>) | null = null;
  private pendingTee: { sink: SnapshotSink } | null = null;
  private catchingUp: Promise<void> | null = null;
  private refreshing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private lastError: string | null = null;
  private closed = false;
  /** The newest register head claim the follower verified (exchange/headClaim.ts), passed on unchanged. */
  private claim: HeadClaim | null = null;

  constructor(private readonly options: RelayOptions) {
    super();
    this.setMaxListeners(0); // one listener per waiting long-poll
    this.archive = new RelayArchive(options.dataDir);
  }

  /**
   * The client the follower should use: the same as `client`, except that a whole snapshot read for a
   * bootstrap is also written, line for line, beside the stored one — and kept once the follower has
   * verified and applied it ('bootstrapped').
   */
  teeing(client: FeedClient): FeedClient {
    const relay = this;
    return {
      source: client.source,
      digest: (signal) => client.digest(signal),
      keys: (signal) => client.keys(signal),
      changes: (after, limit, waitMs, signal, options) => client.changes(after, limit, waitMs, signal, options),
      snapshot(signal, buckets) {
        return buckets ? client.snapshot(signal, buckets) : relay.tee(client.snapshot(signal));
      },
    };
  }

  private async *tee(lines: AsyncIterable<SnapshotLine>): AsyncIterable<SnapshotLine> {
    const sink = this.archive.beginSnapshot();
    this.pendingTee = { sink };
    try {
      for await (const line of lines) {
        sink.write(line);
        yield line;
      }
    } finally {
      if (!sink.complete) sink.abort();
    }
  }

  /** Starts following the replica's follower (T1) and checking itself (T2, T3). */
  attach(follower: Follower, store: ReplicaStore, freshness?: () => Promise<{ dataAsOf: string | null }>): void {
    this.follower = follower;
    this.store = store;
    this.freshness = freshness ?? null;
    follower.on('bootstrapped', (asOfSeq: number) => this.onBootstrapped(asOfSeq));
    follower.on('pageApplied', (batches: SignedBatch[]) => this.onPageApplied(batches));
    follower.on('headClaim', (claim: HeadClaim) => {
      const newest = newerClaim(this.claim, claim);
      if (newest === this.claim) return;
      this.claim = newest;
      this.emit('headClaim');
    });
    this.timer = setInterval(() => void this.check(), this.options.checkEveryMs ?? 60_000);
    this.timer.unref();
    void this.check();
  }

  private onBootstrapped(asOfSeq: number): void {
    const tee = this.pendingTee;
    this.pendingTee = null;
    if (!tee || !tee.sink.complete || tee.sink.header?.asOfSeq !== asOfSeq) return;
    try {
      const s = this.archive.promote(tee.sink);
      this.options.log.info({ asOfSeq: s.asOfSeq, records: s.records }, "stored the register's snapshot to serve onward");
      this.emit('commit', this.archive.last()!.seq);
    } catch (err) {
      this.fail('storing the snapshot', err);
    }
  }

  private onPageApplied(batches: SignedBatch[]): void {
    if (this.closed || batches.length === 0 || !this.archive.last()) return;
    try {
      const { appended, covered } = this.archive.append(batches);
      if (appended > 0) this.emit('commit', this.archive.last()!.seq);
      if (!covered) void this.catchUp().catch((err) => this.fail('refilling the archive', err));
    } catch (err) {
      this.fail('archiving batches', err);
    }
  }

  private fail(what: string, err: unknown): void {
    const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
    if (message !== this.lastError) this.options.log.warn({ err: message }, 'the onward feed could not keep up; it retries');
    this.lastError = message;
  }

  /** The periodic check: T2, then T3 when due. Errors are kept for status and retried next time. */
  async check(): Promise<void> {
    if (this.closed || !this.store) return;
    try {
      const state = await this.store.state();
      const stored = this.archive.snapshot();
      if (!stored) {
        // Switched on for a replica that already has a state: fetch the register's snapshot now.
        // (A replica still bootstrapping stores the snapshot it reads instead.)
        if (state.cursor !== null) await this.refreshSnapshot();
        return;
      }
      try {
        await this.catchUp();
      } catch (err) {
        if (!(err instanceof Restart410)) throw err;
        this.options.log.warn({ err: err.message }, 'upstream no longer keeps the changes the archive lacks; fetching a fresh snapshot');
        await this.refreshSnapshot();
      }
      const since = this.archive.changesAfter(stored.asOfSeq);
      if (since > Math.max(stored.records, 10_000)) {
        this.options.log.info({ since, records: stored.records }, 'the archive since the stored snapshot outgrew it; fetching a fresh snapshot');
        await this.refreshSnapshot();
      }
      const removed = this.archive.prune(new Date(Date.now() - (this.options.retainSeconds ?? 30 * 86_400) * 1000));
      if (removed > 0) this.options.log.info({ removed }, 'dropped archived batches past the retention');
      this.lastError = null;
    } catch (err) {
      this.fail('checking the onward feed', err);
    }
  }

  /** T2: one refill at a time; brings the archive up to the replica's cursor (or `atLeast`). */
  catchUp(atLeast = 0): Promise<void> {
    this.catchingUp ??= this.refill(atLeast).finally(() => (this.catchingUp = null));
    return this.catchingUp;
  }

  private async refill(atLeast: number): Promise<void> {
    const { upstream } = this.options;
    for (;;) {
      if (this.closed) return;
      const end = this.archive.last();
      if (!end) return;
      const target = Math.max(atLeast, (await this.store!.state()).cursor ?? 0);
      if (end.seq >= target) return;
      let page;
      try {
        page = await upstream.changes(end.seq, 1000, 0);
      } catch (err) {
        if (err instanceof FeedError && err.status === 410) throw new Restart410(err.message);
        throw err;
      }
      const batches = page.batches.filter((b) => b.lastSeq > end.seq);
      if (batches.length === 0) return;
      await this.follower!.verifyPage(batches);
      const { appended } = this.archive.append(batches);
      if (appended === 0) {
        throw new BatchRejected('broken-chain', `upstream batch ${batches[0]!.firstSeq}–${batches[0]!.lastSeq} does not continue the archive at ${end.seq}`);
      }
      this.emit('commit', this.archive.last()!.seq);
    }
  }

  /** T3: fetch, verify and store a fresh register snapshot. One at a time. */
  refreshSnapshot(): Promise<void> {
    this.refreshing ??= this.fetchSnapshot().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  private async fetchSnapshot(): Promise<void> {
    const { upstream, trust, log } = this.options;
    if (!trust.keys) return; // no trusted keys yet: the replica's own bootstrap will store its snapshot
    const sink = this.archive.beginSnapshot();
    try {
      const digest = snapshotDigest();
      let records = 0;
      let header: { asOfSeq: number; lastHash: string } | null = null;
      for await (const line of upstream.snapshot()) {
        if (this.closed) throw new Error('closing');
        if (line.type === 'header') header = line;
        else if (line.type === 'end') {
          // The same checks as a bootstrap (border/sync/follower.ts): what is stored is what a checkpoint will verify.
          if (!header || line.asOfSeq !== header.asOfSeq || line.lastHash !== header.lastHash || line.records !== records) throw new BatchRejected('tampered', 'snapshot trailer does not match its contents');
          if (line.buckets !== null) throw new BatchRejected('tampered', 'a bucket-limited snapshot was offered as a whole one');
          verifyManifest(line, trust.keys);
          if (digest.hex() !== line.digest) throw new BatchRejected('tampered', 'snapshot records do not match the signed manifest digest');
        } else {
          if (!header) throw new FeedError('snapshot began without a header', 0);
          digest.add(line);
          records++;
        }
        sink.write(line);
      }
      if (!sink.complete || !header) throw new FeedError('snapshot ended without its trailer', 0);
      // Reach the snapshot first where possible, so the chain is kept and checkpoints past it lose nothing.
      await this.catchUp(header.asOfSeq).catch((err) => log.warn({ err: (err as Error).message }, 'could not extend the archive to the fresh snapshot; restarting the archive at it'));
      const s = this.archive.promote(sink);
      log.info({ asOfSeq: s.asOfSeq, records: s.records }, "stored a fresh register snapshot to serve onward");
      this.emit('commit', this.archive.last()!.seq);
    } catch (err) {
      sink.abort();
      throw err;
    }
  }

  status(): RelayStatus {
    const s = this.archive.snapshot();
    const anchor = this.archive.anchor();
    return {
      snapshot: s,
      oldestSeq: anchor ? anchor.seq + 1 : null,
      headSeq: this.archive.last()?.seq ?? null,
      archivedSinceSnapshot: s ? this.archive.changesAfter(s.asOfSeq) : 0,
      lastError: this.lastError,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([this.catchingUp, this.refreshing]);
    this.removeAllListeners('commit');
    this.removeAllListeners('headClaim');
    this.archive.close();
  }

  // --- FeedSource: what the feed routes serve ---

  private served(): { anchor: number; head: number } {
    const anchor = this.archive.anchor();
    const last = this.archive.last();
    if (!this.archive.snapshot() || !anchor || !last) {
      throw new ErxError(503, "this replica holds no register snapshot to serve onward yet (it stores one at its bootstrap, or fetches one shortly after start); try again");
    }
    return { anchor: anchor.seq, head: last.seq };
  }

  async headSeq(): Promise<number> {
    return this.served().head;
  }

  async oldestSeq(): Promise<number> {
    return this.served().anchor + 1;
  }

  async batchesAfter(after: number, maxChanges: number, options?: { reliefOnly?: boolean }): Promise<SignedBatch[]> {
    return this.archive.batchesAfter(after, maxChanges, options);
  }

  snapshot(options: { buckets?: number[] } = {}): AsyncIterable<SnapshotLine> {
    return options.buckets ? this.passedThroughBuckets(options.buckets) : this.storedSnapshot();
  }

  private async *storedSnapshot(): AsyncIterable<SnapshotLine> {
    this.served();
    yield* this.archive.readSnapshot();
  }

  /** A bucket-limited snapshot (anti-entropy repair) is signed for its buckets: only upstream can give one. */
  private async *passedThroughBuckets(buckets: number[]): AsyncIterable<SnapshotLine> {
    for await (const line of this.options.upstream.snapshot(undefined, buckets)) {
      if (line.type === 'header') await this.hold(line.asOfSeq);
      yield line;
    }
  }

  async digest(): Promise<RemoteDigest> {
    const d = await this.options.upstream.digest();
    await this.hold(d.asOfSeq);
    return d;
  }

  /** Waits until the archive reaches `seq`, so a checkpoint can advance to it through this feed. */
  private async hold(seq: number): Promise<void> {
    const deadline = Date.now() + (this.options.holdMs ?? 10_000);
    while ((this.archive.last()?.seq ?? -1) < seq) {
      const left = deadline - Date.now();
      if (left <= 0 || this.closed) {
        throw new ErxError(503, `upstream is at ${seq}, this replica's onward feed at ${this.archive.last()?.seq ?? 'nothing'}; try again shortly`);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.off('commit', done);
          resolve();
        };
        const t = setTimeout(done, Math.min(left, 250));
        this.on('commit', done);
      });
    }
  }

  /**
   * As of when the feed served here is complete: the replica's own freshness while the archive holds
   * everything the replica applied (so "now" while the replica is listening to the register), and
   * otherwise the commit time of the last archived batch — never later than what is known.
   */
  async registerTime(): Promise<string> {
    const last = this.archive.last();
    const cursor = (await this.store?.state())?.cursor ?? null;
    if (this.freshness && last && cursor !== null && last.seq >= cursor) {
      const { dataAsOf } = await this.freshness();
      if (dataAsOf) return dataAsOf;
    }
    return this.archive.lastCommittedAt() ?? new Date(0).toISOString();
  }

  /** The newest register-signed head claim this replica holds; it cannot make a newer one. */
  async headClaim(): Promise<HeadClaim | null> {
    return this.claim;
  }

  onHeadClaim(listener: () => void): () => void {
    this.on('headClaim', listener);
    return () => this.off('headClaim', listener);
  }

  onCommit(listener: (headSeq: number) => void): () => void {
    this.on('commit', listener);
    return () => this.off('commit', listener);
  }

  /** The register keys this replica trusts (current and in overlap), endorsements included. */
  async keys(): Promise<PublicKeyInfo[]> {
    const now = Date.now();
    const trusted = this.options.trust.keys?.list().filter((k) => k.retiresAt === null || Date.parse(k.retiresAt) > now) ?? [];
    return trusted.length > 0 ? trusted : this.options.upstream.keys();
  }
}
