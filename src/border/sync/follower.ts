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
 *  F3  a bootstrap that did not see the snapshot's trailer, or whose signed manifest does not match
 *      what arrived, is discarded, never half-applied;
 *  F4  nothing is applied from a page unless every batch in it verifies against a trusted key; a
 *      rejected page is logged with its reason, counted, and refetched after a pause;
 *  F5  relief (lifts, deferments) in a backlog is applied before the rest of the backlog, and no later
 *      in-order change can take an entity back to an older state.
 *
 *  F6  freshness comes only from what the register signed: the snapshot or image manifest a bootstrap
 *      verified, and head claims (exchange/headClaim.ts) verified like batches. A claim counts once
 *      the cursor reaches its sequence number on the claimed chain; the store records its register
 *      time as `dataAsOf`, with the cursor when it can. A page's unsigned registerSeq/registerTime
 *      only steer fetching, never freshness (border/freshness.ts).
 *
 * Events: 'bootstrapped' (asOfSeq), 'pageApplied' (the SignedBatch[] just applied, unchanged),
 * 'applied' (new cursor), 'progress', 'relief', 'rejected' (reason), 'headClaim' (a verified HeadClaim,
 * as received: a relay passes the newest on).
 *
 * The follower does not care how pages travel (border/sync/feedClient.ts: HTTP, NATS JetStream): the
 * cursor lives in the store, so a replica can change transport between runs without re-bootstrapping.
 */
import { EventEmitter } from 'node:events';
import { planPage } from '../../exchange/planPage.js';
import type { ReplicaStore } from '../replicaStore.js';
import { CursorMoved } from '../replicaStore.js';
import type { Logger } from '../../shared/log.js';
import { FeedError, type FeedClient } from './feedClient.js';
import { type ChangeBatch, snapshotDigest, type SignedBatch, type SnapshotRecord } from '../../exchange/protocol.js';
import type { ReplicaTrust } from './trust.js';
import { BatchRejected, type RejectReason, verifyBatch, verifyManifest } from '../../exchange/verify.js';
import { type ImageManifest, incompatibility, verifyImageManifest } from '../../exchange/image.js';
import { type HeadClaim, newerClaim, verifyHeadClaim } from '../../exchange/headClaim.js';
import type { BatchToApply } from '../../exchange/planPage.js';

export type SyncState = 'starting' | 'bootstrapping' | 'following' | 'retrying' | 'stopped';

export interface FollowerOptions {
  store: ReplicaStore;
  client: FeedClient;
  trust: ReplicaTrust;
  log: Logger;
  batchSize?: number;
  /** How long a caught-up replica's request waits at the feed for news (ms). */
  longPollMs?: number;
  onBootstrapProgress?: (done: number, total: number) => void;
  /** Bootstrap from the feed's replica image when it offers one that fits (default true; exchange/image.ts). */
  images?: boolean;
  /** An image download that delivers nothing for this long is given up for the snapshot (ms, default 30 s). */
  imageIdleMs?: number;
}

const BOOTSTRAP_CHUNK = 2000;
const MAX_BACKOFF_MS = 5000;
/** Verified claims beyond the cursor kept until the replica reaches them (the newest are kept). */
const MAX_PENDING_CLAIMS = 64;

export class Follower extends EventEmitter {
  state: SyncState = 'starting';
  lastContactAt: Date | null = null;
  lastError: string | null = null;
  /** When the current long-poll began with nothing left to apply (for status only: an open request proves nothing). */
  listeningSince: Date | null = null;
  /** The newest verified head claim received, when, and whether the replica holds all it covers (F6). */
  latestClaim: { registerSeq: number; registerTime: string; receivedAt: number; applied: boolean } | null = null;
  /** Head claims verified, and refused by reason (a bad signature, an unknown key, another chain…). */
  claims = { verified: 0, refused: {} as Partial<Record<RejectReason, number>>, lastRefusal: null as { at: string; reason: RejectReason; detail: string } | null };
  /** Verified claims the cursor has not reached yet; each counts once it does (F6). */
  private pendingClaims: HeadClaim[] = [];
  counters = { batchesApplied: 0, changesApplied: 0, duplicates: 0, errors: 0, bootstraps: 0, rebootstraps: 0, reliefApplied: 0, imageBootstraps: 0, imagesRefused: 0 };
  /** Images as of this sequence number or older are not taken again: the feed no longer holds the changes after them. */
  private imagesTooOldThrough = -1;
  /** Pages refused, by reason (a signature that fails, a gap, a replay…). */
  rejected: Record<RejectReason, number> = {
    unsigned: 0,
    tampered: 0,
    'bad-signature': 0,
    'unknown-key': 0,
    gap: 0,
    disorder: 0,
    replayed: 0,
    'broken-chain': 0,
  };
  lastRejection: { at: string; reason: RejectReason; detail: string } | null = null;
  private rejectStreak = 0;
  private readonly abort = new AbortController();
  private loop: Promise<void> | null = null;
  /** Aborts the request in flight (a long-poll) when someone needs the replica paused. */
  private stepAbort = new AbortController();
  private paused: { resume: Promise<void>; release: () => void } | null = null;
  private stepping: Promise<void> = Promise.resolve();
  /**
   * The next page, asked for while this one is verified and applied when the replica is behind: the
   * feed's work and the transit (another process, often another machine) overlap the apply instead of
   * following it. Pages are immutable signed batches, so a page fetched early is as good as one fetched
   * late; one that no longer starts at the cursor is dropped.
   */
  private prefetched: { after: number; page: Promise<ChangeBatch>; cancel: AbortController } | null = null;

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

  /**
   * Runs `fn` with the follow loop stopped (after the step in flight ends; a waiting long-poll is cut
   * short), then resumes it. Anti-entropy uses it to hold the replica at a chosen sequence number.
   */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.paused) await this.paused.resume;
    let release!: () => void;
    this.paused = { resume: new Promise<void>((r) => (release = r)), release: () => release() };
    this.dropPrefetch();
    this.stepAbort.abort();
    await this.stepping;
    try {
      return await fn();
    } finally {
      const p = this.paused;
      this.paused = null;
      p.release();
    }
  }

  /** With the loop paused: applies verified batches until the cursor reaches exactly `target`. */
  async advanceTo(target: number): Promise<void> {
    const { store, client } = this.options;
    for (;;) {
      const state = await store.state();
      const cursor = state.cursor ?? 0;
      if (cursor >= target) return;
      const page = await client.changes(cursor, this.options.batchSize ?? 1000, 0, this.abort.signal);
      const batches = page.batches.filter((b) => b.lastSeq <= target);
      await this.verifyPage(batches);
      const known = await store.knownBatchHashes(batches.filter((b) => b.lastSeq <= cursor).map((b) => b.lastSeq));
      const plan = planPage(cursor, state.lastHash, batches, known);
      if (plan.action === 'reject') throw new BatchRejected(plan.reason, plan.detail);
      if (plan.action === 'duplicate') throw new Error(`feed has nothing between ${cursor} and ${target}`);
      await this.acceptClaim(page.headClaim);
      await this.applyWithClaims(cursor, state, plan.batches);
      this.emit('pageApplied', batches.filter((b) => b.lastSeq > cursor));
      this.emit('applied', plan.batches[plan.batches.length - 1]!.lastSeq);
    }
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (!this.abort.signal.aborted) {
      if (this.paused) {
        await this.paused.resume;
        continue;
      }
      let cursor: number | null = null;
      try {
        this.stepAbort = new AbortController();
        ({ cursor } = await this.options.store.state());
        const step = cursor === null ? this.bootstrap() : this.step(cursor);
        this.stepping = step.catch(() => undefined);
        await step;
        backoff = 100;
      } catch (err) {
        if (this.abort.signal.aborted) break;
        if (this.paused) continue; // the pause cut our request short
        if (err instanceof FeedError && err.status === 410) {
          // The feed compacted past our cursor: build a fresh state beside the current one, which
          // keeps answering screenings until the new one is swapped in.
          this.options.log.warn({ err: err.message }, 'cursor is older than the feed keeps; re-bootstrapping from a snapshot');
          this.counters.rebootstraps++;
          if (cursor !== null) this.imagesTooOldThrough = Math.max(this.imagesTooOldThrough, cursor);
          try {
            await this.bootstrap();
            continue;
          } catch (inner) {
            err = inner;
          }
        }
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

  /** The page after `cursor`: the one fetched ahead if it starts there, else a request now. */
  private nextPage(cursor: number, wait: number): Promise<ChangeBatch> {
    const ahead = this.prefetched;
    if (ahead && ahead.after === cursor && wait === 0) {
      this.prefetched = null;
      return ahead.page;
    }
    this.dropPrefetch();
    return this.options.client.changes(cursor, this.options.batchSize ?? 1000, wait, AbortSignal.any([this.abort.signal, this.stepAbort.signal]));
  }

  /** Asks for the page after `after` now, to be taken by the next step (nextPage). */
  private fetchAhead(after: number): void {
    this.dropPrefetch();
    const cancel = new AbortController();
    const page = this.options.client.changes(after, this.options.batchSize ?? 1000, 0, AbortSignal.any([this.abort.signal, this.stepAbort.signal, cancel.signal]));
    // Its failure is the next step's to report (it awaits this promise), or nobody's if it is dropped.
    page.catch(() => undefined);
    this.prefetched = { after, page, cancel };
  }

  private dropPrefetch(): void {
    this.prefetched?.cancel.abort();
    this.prefetched = null;
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
    await this.ensureTrust();
    if (await this.bootstrapFromImage()) return;
    log.info({ source: client.source }, 'bootstrapping from snapshot');
    const started = Date.now();
    const writer = await store.beginBootstrap();
    const digest = snapshotDigest();
    let header: { asOfSeq: number; registerTime: string; records: number; lastHash: string } | null = null;
    let chunk: SnapshotRecord[] = [];
    let done = 0;
    for await (const line of client.snapshot(this.abort.signal)) {
      if (line.type === 'header') {
        header = line;
        this.options.onBootstrapProgress?.(0, line.records);
      } else if (line.type === 'end') {
        if (!header || line.asOfSeq !== header.asOfSeq || line.lastHash !== header.lastHash || line.records !== done + chunk.length) {
          throw new FeedError(`snapshot trailer does not match its contents (${done + chunk.length} records read, ${line.records} announced)`, 0);
        }
        if (line.buckets !== null) throw new BatchRejected('tampered', 'a bucket-limited snapshot was offered as a whole one');
        verifyManifest(line, this.options.trust.keys!);
        if (digest.hex() !== line.digest) throw new BatchRejected('tampered', 'snapshot records do not match the signed manifest digest');
        await writer.write(chunk);
        done += chunk.length;
        // The manifest's register time, which is signed (the header's is not): the data is as of then.
        await writer.finish(header.asOfSeq, line.registerTime, header.lastHash);
        this.options.onBootstrapProgress?.(done, header.records);
        log.info({ records: done, asOfSeq: header.asOfSeq, seconds: (Date.now() - started) / 1000 }, 'bootstrap complete');
        this.bootstrapped(header.asOfSeq);
        return;
      } else {
        if (!header) throw new FeedError('snapshot began without a header', 0);
        digest.add(line);
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

  /**
   * Bootstraps from the feed's replica image if it offers one this store can take: its manifest must
   * verify under a trusted key, and the store checks the file against it. Whatever fails, the snapshot
   * is the way (false).
   */
  private async bootstrapFromImage(): Promise<boolean> {
    const { store, client, log, trust } = this.options;
    if (this.options.images === false || !store.installImage || !store.imageFormat || !client.image || !client.imageFile) return false;
    const signal = this.abort.signal;
    const started = Date.now();
    let manifest: ImageManifest;
    const stalled = new AbortController();
    const idleMs = this.options.imageIdleMs ?? 30_000;
    try {
      const offered = await client.image(signal);
      if (!offered) return false;
      manifest = verifyImageManifest(offered, trust.keys!);
      const unfit = incompatibility(manifest.format, store.imageFormat());
      if (unfit || manifest.asOfSeq <= this.imagesTooOldThrough) {
        log.info({ asOfSeq: manifest.asOfSeq, why: unfit ?? 'the feed no longer holds the changes after it' }, 'not taking the replica image; bootstrapping from the snapshot');
        return false;
      }
      log.info({ source: client.source, asOfSeq: manifest.asOfSeq, bytes: manifest.bytes }, 'bootstrapping from the replica image');
      const { records, bytes: total } = manifest;
      // A stalled download (a connection that promises more and sends nothing) would otherwise hold the
      // bootstrap until the HTTP client's own timeout of minutes.
      const watchdog = setTimeout(() => stalled.abort(), idleMs);
      try {
        await store.installImage(manifest, client.imageFile(manifest.asOfSeq, AbortSignal.any([signal, stalled.signal])), (bytes) => {
          watchdog.refresh();
          this.options.onBootstrapProgress?.(Math.floor((records * bytes) / total), records);
        });
      } finally {
        clearTimeout(watchdog);
      }
    } catch (err) {
      if (signal.aborted) throw err;
      this.counters.imagesRefused++;
      if (err instanceof BatchRejected) this.noteRejected(err.reason, err.message);
      const why = stalled.signal.aborted ? `the download delivered nothing for ${idleMs / 1000} s` : (err as Error).message;
      log.warn({ err: why }, 'replica image refused; bootstrapping from the snapshot instead');
      return false;
    }
    this.counters.imageBootstraps++;
    log.info({ records: manifest.records, asOfSeq: manifest.asOfSeq, seconds: (Date.now() - started) / 1000 }, 'bootstrap from the replica image complete');
    this.bootstrapped(manifest.asOfSeq);
    return true;
  }

  /** A bootstrap (from the snapshot or an image) committed a state as of `asOfSeq`: follow on from it. */
  private bootstrapped(asOfSeq: number): void {
    this.counters.bootstraps++;
    this.lastContactAt = new Date();
    // A new state: claims heard before it settle against its chain, as the cursor reaches them.
    if (this.latestClaim) this.latestClaim.applied = false;
    this.state = 'following';
    this.emit('bootstrapped', asOfSeq);
  }

  /** Without configured or pinned keys, the first contact pins what the feed publishes. */
  private async ensureTrust(): Promise<void> {
    const { trust, client, log } = this.options;
    if (trust.keys) return;
    trust.trustOnFirstUse(await client.keys(this.abort.signal));
    log.warn({ keys: trust.keys!.list().map((k) => k.keyId) }, 'no trust file configured: trusting the keys the register publishes now, and pinning them (give --trust FILE in production)');
  }

  /** Verifies every batch of a page; an unknown key is looked up once among the endorsed published keys. */
  async verifyPage(batches: SignedBatch[]): Promise<void> {
    const { trust, client, log } = this.options;
    for (const batch of batches) {
      try {
        verifyBatch(batch, trust.keys!);
      } catch (err) {
        if (!(err instanceof BatchRejected) || err.reason !== 'unknown-key') throw err;
        const added = trust.learn(await client.keys(this.abort.signal));
        if (added.length === 0) throw err;
        log.info({ added }, 'learned rotated register keys (endorsed by a trusted key)');
        verifyBatch(batch, trust.keys!);
      }
    }
  }

  /** Counts something the feed sent that did not verify (a page, a manifest, an image). */
  private noteRejected(reason: RejectReason, detail: string): void {
    this.rejected[reason]++;
    this.emit('rejected', reason);
    this.lastRejection = { at: new Date().toISOString(), reason, detail };
  }

  private async reject(reason: RejectReason, detail: string): Promise<void> {
    this.noteRejected(reason, detail);
    this.options.log.warn({ reason, detail }, 'refused a page from the feed; nothing of it applied, refetching');
    this.rejectStreak++;
    await this.sleep(Math.min(100 * 2 ** Math.min(this.rejectStreak, 6), MAX_BACKOFF_MS));
  }

  /**
   * Verifies a page's head claim (an unknown key is looked up once among the endorsed published keys,
   * as for batches). A refused claim is counted and logged, and gives no freshness; the page's batches
   * stand or fall on their own signatures. No claim at all (an older register) is no refusal.
   */
  private async acceptClaim(raw: unknown): Promise<HeadClaim | null> {
    if (raw === undefined || raw === null) return null;
    const { trust, client, log } = this.options;
    let claim: HeadClaim;
    try {
      try {
        claim = verifyHeadClaim(raw, trust.keys!);
      } catch (err) {
        if (!(err instanceof BatchRejected) || err.reason !== 'unknown-key' || trust.learn(await client.keys(this.abort.signal)).length === 0) throw err;
        log.info('learned rotated register keys (endorsed by a trusted key) for a head claim');
        claim = verifyHeadClaim(raw, trust.keys!);
      }
    } catch (err) {
      if (!(err instanceof BatchRejected)) throw err;
      this.refuseClaim(err.reason, err.message);
      return null;
    }
    this.claims.verified++;
    const latest = this.latestClaim;
    // The same claim heard again (a relay that has nothing newer) keeps its standing; its register
    // time still bounds how long it can count as current (border/freshness.ts).
    const same = latest !== null && latest.registerSeq === claim.registerSeq && latest.registerTime === claim.registerTime;
    if (!latest || same || newerClaim<Pick<HeadClaim, 'registerSeq' | 'registerTime'>>(latest, claim) === claim) {
      this.latestClaim = { registerSeq: claim.registerSeq, registerTime: claim.registerTime, receivedAt: Date.now(), applied: same && latest.applied };
    }
    if (!this.pendingClaims.some((c) => c.registerSeq === claim.registerSeq && c.registerTime === claim.registerTime)) {
      this.pendingClaims.push(claim);
      if (this.pendingClaims.length > MAX_PENDING_CLAIMS) this.pendingClaims.shift();
    }
    this.emit('headClaim', claim);
    return claim;
  }

  private refuseClaim(reason: RejectReason, detail: string): void {
    this.claims.refused[reason] = (this.claims.refused[reason] ?? 0) + 1;
    this.claims.lastRefusal = { at: new Date().toISOString(), reason, detail };
    this.emit('claimRefused', reason);
    this.options.log.warn({ reason, detail }, 'refused a head claim from the feed; it gives no freshness');
  }

  /**
   * The claims the replica holds everything of once its cursor is `target` (having applied `planned`
   * after `cursor`, whose hash is `lastHash`): the register time of the newest of them, or null. A
   * validly signed claim whose hash is not this replica's chain at that sequence number is refused as
   * another history ('broken-chain'); one at a sequence number whose hash the replica no longer knows
   * (from before its snapshot) is dropped quietly.
   */
  private async settleClaims(cursor: number, lastHash: string, target: number, planned: BatchToApply[]): Promise<string | null> {
    const due = this.pendingClaims.filter((c) => c.registerSeq <= target);
    if (due.length === 0) return null;
    this.pendingClaims = this.pendingClaims.filter((c) => c.registerSeq > target);
    const hashes = new Map<number, string>([[cursor, lastHash], ...planned.map((b): [number, string] => [b.lastSeq, b.hash])]);
    const unknown = due.map((c) => c.registerSeq).filter((seq) => !hashes.has(seq));
    const known = unknown.length > 0 ? await this.options.store.knownBatchHashes(unknown) : new Map<number, string>();
    let best: HeadClaim | null = null;
    for (const c of due) {
      const hash = hashes.get(c.registerSeq) ?? known.get(c.registerSeq);
      if (hash === undefined) continue;
      if (hash !== c.headHash) {
        this.refuseClaim('broken-chain', `head claim ${c.registerSeq} names hash ${c.headHash.slice(0, 12)}…, this replica's chain has ${hash.slice(0, 12)}… there`);
        continue;
      }
      best = newerClaim(best, c);
    }
    const latest = this.latestClaim;
    if (best && latest && latest.registerSeq === best.registerSeq && latest.registerTime === best.registerTime) latest.applied = true;
    return best?.registerTime ?? null;
  }

  /** The register's head as signed claims tell it (never below the cursor); the stored one without a claim. */
  private knownRegisterSeq(state: { registerSeq: number }, cursor: number): number {
    return Math.max(cursor, this.latestClaim?.registerSeq ?? state.registerSeq);
  }

  /** Applies verified, planned batches with the freshness their claims give (F6), in one transaction where it can. */
  private async applyWithClaims(cursor: number, state: { lastHash: string; registerSeq: number; dataAsOf: string | null }, batches: BatchToApply[]): Promise<void> {
    const { store } = this.options;
    const target = batches[batches.length - 1]!.lastSeq;
    const settled = await this.settleClaims(cursor, state.lastHash, target, batches);
    const registerSeq = this.knownRegisterSeq(state, target);
    if (settled === null) {
      // No claim reached: the stored data time stays as it was (the store sets it when the cursor
      // reaches registerSeq, so it is handed back unchanged).
      await store.applyBatches(cursor, batches, registerSeq, state.dataAsOf ?? EPOCH);
      return;
    }
    const asOf = later(settled, state.dataAsOf);
    await store.applyBatches(cursor, batches, target, asOf);
    // The head is beyond what was applied: record it (a second, small write, only while behind).
    if (registerSeq > target) await store.noteContact(registerSeq, asOf, false);
  }

  /** Highest sequence number the priority lane has looked through. */
  private reliefSeen = 0;

  /**
   * The priority lane (invariant F5): a replica more than a page behind first fetches the batches of
   * its backlog that hold relief — lifts and deferments — verifies them, and applies just those
   * changes, so a lift is at the checkpoint before the imposes queued ahead of it.
   */
  private async applyReliefAhead(cursor: number, registerSeq: number): Promise<void> {
    const { store, client } = this.options;
    let after = Math.max(cursor, this.reliefSeen);
    while (after < registerSeq) {
      const page = await client.changes(after, this.options.batchSize ?? 1000, 0, AbortSignal.any([this.abort.signal, this.stepAbort.signal]), { reliefOnly: true });
      if (page.batches.length === 0) {
        this.reliefSeen = Math.max(this.reliefSeen, page.registerSeq);
        return;
      }
      await this.verifyPage(page.batches);
      const applied = await store.applyRelief(cursor, page.batches.map((b) => ({ lastSeq: b.lastSeq, hash: b.hash, changes: b.changes })));
      after = page.batches[page.batches.length - 1]!.lastSeq;
      this.reliefSeen = after;
      this.counters.reliefApplied += applied;
      this.emit('relief', after, applied);
    }
  }

  private async step(cursor: number): Promise<void> {
    const { store } = this.options;
    await this.ensureTrust();
    const state = await store.state();
    if (state.registerSeq - cursor > (this.options.batchSize ?? 1000) && this.reliefSeen < state.registerSeq) {
      try {
        await this.applyReliefAhead(cursor, state.registerSeq);
      } catch (err) {
        if (err instanceof BatchRejected) return this.reject(err.reason, err.message);
        throw err;
      }
    }
    const caughtUp = cursor >= state.registerSeq;
    // The first request of a run does not wait: the register's head stored from the last run may be old,
    // and until the feed has answered once the replica cannot know whether it is caught up (the digest
    // comparison at start waits for that, replicaHealth.ts H4).
    const wait = caughtUp && this.lastContactAt !== null ? (this.options.longPollMs ?? 10_000) : 0;
    this.state = 'following';
    this.listeningSince = caughtUp ? new Date() : null;
    const page = await this.nextPage(cursor, wait);
    this.listeningSince = null;
    this.lastContactAt = new Date();
    this.lastError = null;
    try {
      await this.verifyPage(page.batches);
    } catch (err) {
      if (err instanceof BatchRejected) return this.reject(err.reason, err.message);
      throw err;
    }
    const known = await store.knownBatchHashes(page.batches.filter((b) => b.lastSeq <= cursor).map((b) => b.lastSeq));
    const plan = planPage(cursor, state.lastHash, page.batches, known);
    if (plan.action === 'reject') return this.reject(plan.reason, plan.detail);
    this.rejectStreak = 0;
    await this.acceptClaim(page.headClaim);
    const pageEnd = page.batches.length > 0 ? page.batches[page.batches.length - 1]!.lastSeq : cursor;
    if (plan.action === 'apply' && pageEnd < page.registerSeq) this.fetchAhead(pageEnd);
    if (plan.action === 'duplicate') {
      if (plan.skipped > 0) {
        this.counters.duplicates++;
        await this.sleep(100);
      }
      const settled = await this.settleClaims(cursor, state.lastHash, cursor, []);
      await store.noteContact(this.knownRegisterSeq(state, cursor), settled ? later(settled, state.dataAsOf) : (state.dataAsOf ?? EPOCH), settled !== null);
      if (page.batches.length === 0) this.emit('applied', cursor);
      return;
    }
    try {
      await this.applyWithClaims(cursor, state, plan.batches);
    } catch (err) {
      if (err instanceof CursorMoved) return; // someone else applied it; re-read the cursor
      throw err;
    }
    // The signed batches just applied, whole and as received, for a replica that serves its feed
    // onward (border/relay). Emitted synchronously, before the step ends, so a listener that
    // archives them is done before anyone pausing the loop (exclusive) runs.
    this.emit('pageApplied', page.batches.filter((b) => b.lastSeq > cursor));
    this.counters.batchesApplied += plan.batches.length;
    const changes = plan.batches.reduce((n, b) => n + b.changes.length, 0);
    this.counters.changesApplied += changes;
    this.emit('progress', plan.batches.length, changes);
    if (plan.skipped > 0) this.counters.duplicates++;
    this.emit('applied', plan.batches[plan.batches.length - 1]!.lastSeq);
  }
}

const EPOCH = new Date(0).toISOString();

/** The later of two ISO times (the first when the second is missing): a replica's data time never goes back. */
function later(a: string, b: string | null): string {
  return b !== null && Date.parse(b) > Date.parse(a) ? b : a;
}
