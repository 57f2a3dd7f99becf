/**
 * The exchange feed over NATS JetStream: a replica reads the register's signed batches from the
 * stream the register publishes to (publisher.ts) instead of long-polling the register, so the
 * register serves one publisher however many replicas follow. Snapshots, digests and keys still come
 * over HTTP from the register (or the tier above), which is why a replica on the bus still needs its
 * feed URL.
 *
 * The transport only delivers. The replica's follower checks order, gaps, the hash chain and the
 * signatures (exchange/planPage.ts planPage, exchange/verify.ts) exactly as for HTTP, and keeps its cursor
 * in its own database in the same transaction as the data. So this client holds no cursor that
 * matters: it uses an *ordered consumer* — ephemeral, flow-controlled, no acks, recreated by the
 * NATS client at the right place after a disconnect — positioned from the `after` the follower asks
 * for. A durable consumer would keep a second cursor on the server that could disagree with the
 * replica's after a crash (acked but not committed, or the reverse), and would leave server state
 * behind for every checkpoint ever started. Switching a replica between HTTP and JetStream therefore
 * needs nothing: the cursor is the same either way, and no re-bootstrap happens.
 *
 * Invariants (test/transport/nats.test.ts):
 *  J1  a page holds the stream's batches after `after`, in stream order (the follower refuses
 *      anything else, and this client hands out what the stream holds, never reordered);
 *  J2  a page the stream cannot give comes from HTTP instead: changes older than the stream reaches
 *      (a new or purged stream, retention), a hole in the stream, a re-asked range (the follower
 *      refused what it got — the stream's copy may be the bad one), a page the heartbeat promises
 *      that the consumer does not deliver in time (the consumer is then replaced), or a silent
 *      heartbeat (NATS down, or the register not publishing) — so a NATS outage loses nothing and
 *      delays a page by at most the heartbeat's silence;
 *  J3  the relief lane (`reliefOnly`) reads only the stream's relief subject, so a replica that is
 *      behind fetches lifts and deferments ahead of its backlog, as over HTTP;
 *  J4  `registerSeq` and `registerTime` of a page come from the publisher's heartbeat (how far the
 *      stream reaches, and as of which register time it held everything) or from a newer batch's
 *      commit time; they steer only. A page's `headClaim` is the newest signed head claim heard on a
 *      heartbeat, unchanged: a replica takes its freshness from that alone (exchange/headClaim.ts),
 *      so a silent or lying heartbeat can make it no more current than the register signed.
 */
import type { Consumer, ConsumerMessages, JetStreamClient, JetStreamManager, NatsConnection, Subscription } from 'nats';
import type { HeadClaim } from '../../exchange/headClaim.js';
import type { ImageManifest } from '../../exchange/image.js';
import type { PublicKeyInfo } from '../../exchange/keys.js';
import { type ChangeBatch, PROTOCOL_VERSION, type SignedBatch, type SnapshotLine } from '../../exchange/protocol.js';
import type { Logger } from '../../shared/log.js';
import { FeedError, type FeedClient, type RemoteDigest } from '../../border/sync/feedClient.js';
import type { BusConfig } from './busConfig.js';
import { connectBus, locate } from './connection.js';
import { parseHeartbeat, readHeaders, Reassembler } from './wire.js';

export interface JetStreamFeedOptions {
  bus: BusConfig;
  /** The feed over HTTP (register or upstream replica): snapshots, digests, keys, and pages the stream cannot give. */
  http: FeedClient;
  log: Logger;
  /** After this long without a heartbeat the stream is presumed behind, and pages come over HTTP (ms). */
  staleMs?: number;
  /**
   * How long a page known to be in the stream may take to arrive before HTTP is asked instead and the
   * consumer is replaced (ms). On a starved machine (the 50-replica lag benchmark, load average 20–40
   * on 2 cores) an ordered consumer occasionally stopped delivering for seconds; keeping it made every
   * following page wait out the grace period again, replacing it costs one consumer creation.
   */
  graceMs?: number;
  connectionName?: string;
}

type Lane = 'jetstream' | 'http';

/** Stop reading from the consumer while this many changes wait in memory (backpressure). */
const HIGH_WATER_CHANGES = 20_000;

class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

/** One ordered consumer reading the whole stream from a position, into a bounded buffer. */
class Tail {
  readonly buffer: SignedBatch[] = [];
  private bufferedChanges = 0;
  /** Highest last sequence number taken out of the buffer (handed out or dropped), or the opening position. */
  consumedThrough: number;
  error: Error | null = null;
  junk = 0;
  private waiters = new Set<() => void>();
  private drained: (() => void) | null = null;
  private messages: ConsumerMessages | null = null;
  private closed = false;

  constructor(
    readonly openedAfter: number,
    private readonly log: Logger,
  ) {
    this.consumedThrough = openedAfter;
  }

  async start(consumer: Consumer): Promise<void> {
    // A deleted stream ends the consumer (and the tail, whose owner then falls back to HTTP) rather
    // than have the NATS client retry it forever.
    this.messages = await consumer.consume({ max_messages: 256, abort_on_missing_resource: true });
    void this.pump(this.messages);
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    const parts = new Reassembler();
    try {
      for await (const m of messages) {
        const decoded = parts.add(readHeaders((name) => m.headers?.get(name) || undefined), m.data);
        if (decoded.kind === 'partial') continue;
        if (decoded.kind === 'junk') {
          this.junk++;
          this.log.warn({ streamSeq: m.seq, reason: decoded.reason }, 'skipped a message of the stream that is not a whole erx batch');
          continue;
        }
        this.buffer.push(decoded.batch);
        this.bufferedChanges += decoded.batch.changes.length;
        this.notify();
        while (this.bufferedChanges > HIGH_WATER_CHANGES && !this.closed) await new Promise<void>((r) => (this.drained = r));
        if (this.closed) break;
      }
      if (!this.closed) this.error = new FeedError('the JetStream consumer stopped', 0);
    } catch (err) {
      if (!this.closed) this.error = new FeedError(`the JetStream consumer failed: ${(err as Error).message}`, 0);
    }
    this.notify();
  }

  /** Takes batches ending after `after` (at least one, then while they fit in `limit` changes). */
  take(after: number, limit: number): SignedBatch[] {
    this.dropThrough(after);
    const out: SignedBatch[] = [];
    let changes = 0;
    while (this.buffer.length > 0) {
      const next = this.buffer[0]!;
      if (out.length > 0 && changes + next.changes.length > limit) break;
      out.push(this.shift());
      changes += next.changes.length;
    }
    return out;
  }

  dropThrough(after: number): void {
    while (this.buffer.length > 0 && this.buffer[0]!.lastSeq <= after) this.shift();
    this.consumedThrough = Math.max(this.consumedThrough, after);
  }

  private shift(): SignedBatch {
    const b = this.buffer.shift()!;
    this.bufferedChanges -= b.changes.length;
    this.consumedThrough = Math.max(this.consumedThrough, b.lastSeq);
    if (this.bufferedChanges <= HIGH_WATER_CHANGES / 2 && this.drained) {
      const d = this.drained;
      this.drained = null;
      d();
    }
    return b;
  }

  /** Resolves when a batch arrives, the consumer fails, or `wake()` is called. */
  changed(): { promise: Promise<void>; cancel: () => void } {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.waiters.add(resolve);
    return { promise, cancel: () => this.waiters.delete(resolve) };
  }

  notify(): void {
    const ws = [...this.waiters];
    this.waiters.clear();
    for (const w of ws) w();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.drained?.();
    this.notify();
    try {
      await this.messages?.close();
    } catch {
      // already closed with its connection
    }
  }
}

export class JetStreamFeedClient implements FeedClient {
  readonly source: string;
  readonly stream: string;
  /** Where the last page came from, for status ('none' before the first). */
  lane: Lane | 'none' = 'none';
  /** Pages served over HTTP because the stream could not give them, by reason. */
  readonly fallbacks: Record<string, number> = {};
  private nc: NatsConnection | null = null;
  private connecting: Promise<NatsConnection> | null = null;
  private jsm: JetStreamManager | null = null;
  private js: JetStreamClient | null = null;
  private heartbeats: Subscription | null = null;
  private head: { seq: number; asOf: string | null; claim?: HeadClaim } | null = null;
  private lastHeartbeatAt = 0;
  private heartbeatWaiters = new Set<() => void>();
  private tail: Tail | null = null;
  private firstContact: Promise<void> | null = null;
  /** Aborted by close(): ends a connection attempt that may never succeed. */
  private readonly aborted = new AbortController();
  private closed = false;
  private readonly staleMs: number;
  private readonly graceMs: number;

  constructor(private readonly options: JetStreamFeedOptions) {
    this.source = `${options.http.source} (changes from NATS JetStream stream ${options.bus.stream} at ${options.bus.display})`;
    this.stream = options.bus.stream;
    this.staleMs = options.staleMs ?? 5000;
    this.graceMs = options.graceMs ?? 2000;
  }

  snapshot(signal?: AbortSignal, buckets?: number[]): AsyncIterable<SnapshotLine> {
    return this.options.http.snapshot(signal, buckets);
  }

  digest(signal?: AbortSignal): Promise<RemoteDigest> {
    return this.options.http.digest(signal);
  }

  keys(signal?: AbortSignal): Promise<PublicKeyInfo[]> {
    return this.options.http.keys(signal);
  }

  async image(signal?: AbortSignal): Promise<ImageManifest | null> {
    return (await this.options.http.image?.(signal)) ?? null;
  }

  imageFile(asOfSeq: number, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    if (!this.options.http.imageFile) throw new FeedError('this feed serves no replica images', 0);
    return this.options.http.imageFile(asOfSeq, signal);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail?.close();
    this.tail = null;
    this.heartbeats?.unsubscribe();
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
    this.aborted.abort();
  }

  /** Connects (once; the connection then reconnects by itself) and listens to the publisher's heartbeat. */
  private connect(): Promise<NatsConnection> {
    this.connecting ??= connectBus(this.options.bus, this.options.connectionName ?? 'erx-replica', this.aborted.signal).then(async (nc) => {
      if (this.closed) {
        await nc.close();
        throw new FeedError('feed client closed', 0);
      }
      this.nc = nc;
      this.jsm = await nc.jetstreamManager();
      this.js = nc.jetstream();
      this.heartbeats = nc.subscribe(this.options.bus.subjects.head, {
        callback: (err, msg) => {
          if (err) return;
          const hb = parseHeartbeat(msg.data);
          if (!hb) return;
          this.lastHeartbeatAt = Date.now();
          // The latest heartbeat is the publisher's word (it is one publisher on one connection, so in
          // order); a claim that was wrong, or a register restored to an earlier head, does not linger.
          this.head = { seq: hb.publishedSeq, asOf: hb.asOf, ...(hb.claim ? { claim: hb.claim } : {}) };
          for (const w of [...this.heartbeatWaiters]) w();
        },
      });
      // Do not wait for the server to confirm the subscription: the first heartbeat does that.
      return nc;
    });
    return this.connecting;
  }

  /**
   * Why the stream cannot be used now (null when it can). Only the first call waits (at most
   * `staleMs`) for the connection and the first heartbeat; later calls answer from the current state,
   * so an outage costs no extra delay per page.
   */
  private async unusable(signal?: AbortSignal): Promise<string | null> {
    this.firstContact ??= (async () => {
      const deadline = Date.now() + this.staleMs;
      await Promise.race([this.connect().catch(() => undefined), delay(this.staleMs)]);
      if (this.lastHeartbeatAt > 0) return;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          this.heartbeatWaiters.delete(done);
          resolve();
        };
        const t = setTimeout(done, Math.max(0, deadline - Date.now()));
        this.heartbeatWaiters.add(done);
      });
    })();
    await Promise.race([this.firstContact, delay(this.staleMs, signal)]);
    if (signal?.aborted) throw new AbortedError();
    if (!this.nc || this.nc.isClosed() || !this.jsm) return `not connected to NATS at ${this.options.bus.display}`;
    if (Date.now() - this.lastHeartbeatAt > this.staleMs) {
      return `no heartbeat from the register's publisher on ${this.options.bus.subjects.head} for ${this.staleMs / 1000} s (is the register running with --bus, and connected?)`;
    }
    return null;
  }

  private async viaHttp(reason: string, after: number, limit: number, waitMs: number, signal: AbortSignal | undefined, options: { reliefOnly?: boolean }): Promise<ChangeBatch> {
    if (this.lane !== 'http') this.options.log.warn({ reason }, 'taking changes over HTTP instead of JetStream');
    this.lane = 'http';
    this.fallbacks[reason.split(':')[0]!] = (this.fallbacks[reason.split(':')[0]!] ?? 0) + 1;
    return this.options.http.changes(after, limit, waitMs, signal, options);
  }

  private using(lane: Lane): void {
    if (this.lane === 'http') this.options.log.info({ stream: this.options.bus.stream }, 'taking changes from JetStream again');
    this.lane = lane;
  }

  /** J4: the register's position as of the page, never less than the cursor or what the page holds. */
  private page(after: number, batches: SignedBatch[]): ChangeBatch {
    const last = batches[batches.length - 1];
    let registerSeq = Math.max(after, this.head?.seq ?? 0);
    let registerTime = this.head?.asOf ?? new Date(0).toISOString();
    if (last && last.lastSeq >= registerSeq) {
      registerSeq = last.lastSeq;
      // At its commit, this batch was the register's newest.
      if (!this.head || last.lastSeq > this.head.seq || !this.head.asOf || Date.parse(last.committedAt) > Date.parse(this.head.asOf)) registerTime = last.committedAt;
    }
    const headClaim = this.head?.claim;
    return { protocol: PROTOCOL_VERSION, after, batches, registerSeq, registerTime, ...(headClaim ? { headClaim } : {}) };
  }

  async changes(after: number, limit: number, waitMs: number, signal?: AbortSignal, options: { reliefOnly?: boolean } = {}): Promise<ChangeBatch> {
    const problem = await this.unusable(signal);
    if (problem) {
      await this.tail?.close();
      this.tail = null;
      return this.viaHttp(`bus: ${problem}`, after, limit, waitMs, signal, options);
    }
    if (options.reliefOnly) return this.reliefPage(after, limit, signal);
    if (this.tail && (after < this.tail.consumedThrough || this.tail.error)) {
      // J2: a re-asked range (the follower refused what the stream gave) or a failed consumer.
      const reason = this.tail.error ? `consumer: ${this.tail.error.message}` : `re-asked: changes after ${after} again`;
      await this.tail.close();
      this.tail = null;
      return this.viaHttp(reason, after, limit, waitMs, signal, options);
    }
    if (!this.tail) {
      const opened = await this.open(after);
      if (opened !== null) return this.viaHttp(opened, after, limit, waitMs, signal, options);
    }
    const tail = this.tail!;
    tail.dropThrough(after);
    // Wait for a batch: up to `waitMs` while the stream holds nothing newer; once the heartbeat says
    // it does, only `graceMs` more for it to arrive (then HTTP is asked: J2).
    const known = () => (this.head?.seq ?? 0) > after;
    const started = Date.now();
    let knownSince = known() ? started : 0;
    while (tail.buffer.length === 0 && !tail.error) {
      if (!knownSince && known()) knownSince = Date.now();
      const until = knownSince ? knownSince + this.graceMs : started + waitMs;
      const left = until - Date.now();
      if (left <= 0 || Date.now() - this.lastHeartbeatAt > this.staleMs) break;
      const change = tail.changed();
      const onHeartbeat = () => tail.notify();
      this.heartbeatWaiters.add(onHeartbeat);
      try {
        await Promise.race([change.promise, delay(Math.min(left, this.staleMs), signal)]);
      } finally {
        change.cancel();
        this.heartbeatWaiters.delete(onHeartbeat);
      }
      if (signal?.aborted) throw new AbortedError();
    }
    if (tail.error) return this.viaHttp(`consumer: ${tail.error.message}`, after, limit, waitMs, signal, options);
    if (tail.buffer.length === 0) {
      if (known()) {
        // The consumer may be stuck: this page from HTTP, and a fresh consumer from the next cursor on.
        await tail.close();
        if (this.tail === tail) this.tail = null;
        return this.viaHttp(`late: the stream holds changes after ${after} that did not arrive within ${this.graceMs} ms`, after, limit, 0, signal, options);
      }
      if (Date.now() - this.lastHeartbeatAt > this.staleMs) return this.viaHttp('bus: heartbeat went silent', after, limit, waitMs, signal, options);
      this.using('jetstream');
      return this.page(after, []);
    }
    const first = tail.buffer[0]!;
    if (first.firstSeq > after + 1) {
      // J2: the stream starts after the cursor (new or purged stream, retention) or has a hole.
      return this.viaHttp(`coverage: the stream continues at ${first.firstSeq}, the cursor is at ${after}`, after, limit, 0, signal, options);
    }
    this.using('jetstream');
    return this.page(after, tail.take(after, limit));
  }

  /** Opens a tail positioned for `after`; returns a reason to use HTTP instead, or null. */
  private async open(after: number): Promise<string | null> {
    const { bus } = this.options;
    // The publisher announces a batch only after the stream acknowledged it, so a claim heard before
    // the stream is read must be in what is read. A heartbeat arriving during the read may announce a
    // batch the read just missed: that is no gap, and the consumer delivers it.
    const claimedBefore = this.head?.seq ?? 0;
    let position;
    try {
      position = await locate(this.jsm!, bus.stream, after);
    } catch (err) {
      return `locate: ${(err as Error).message}`;
    }
    if (position.first && position.first.firstSeq > after + 1) {
      return `coverage: the stream's first batch after ${after} starts at ${position.first.firstSeq}`;
    }
    if (!position.first && claimedBefore > after) {
      return `coverage: the stream holds nothing after ${after}, the register published up to ${claimedBefore}`;
    }
    const consumer = await this.js!.consumers.get(bus.stream, { opt_start_seq: position.startSeq });
    const tail = new Tail(after, this.options.log);
    await tail.start(consumer);
    this.tail = tail;
    return null;
  }

  /** J3: the batches holding relief after `after`, from the relief subject only. */
  private async reliefPage(after: number, limit: number, signal?: AbortSignal): Promise<ChangeBatch> {
    const { bus } = this.options;
    let position;
    try {
      position = await locate(this.jsm!, bus.stream, after);
    } catch (err) {
      return this.viaHttp(`locate: ${(err as Error).message}`, after, limit, 0, signal, { reliefOnly: true });
    }
    if (position.first && position.first.firstSeq > after + 1) {
      return this.viaHttp(`coverage: the stream's first batch after ${after} starts at ${position.first.firstSeq}`, after, limit, 0, signal, { reliefOnly: true });
    }
    const consumer = await this.js!.consumers.get(bus.stream, { opt_start_seq: position.startSeq, filterSubjects: bus.subjects.relief });
    const out: SignedBatch[] = [];
    try {
      let pending = (await consumer.info()).num_pending;
      const parts = new Reassembler();
      let changes = 0;
      let partial = false;
      while (pending > 0 && (changes < limit || partial)) {
        if (signal?.aborted) throw new AbortedError();
        const messages = await consumer.fetch({ max_messages: Math.min(pending, 256), expires: 5000 });
        let got = 0;
        for await (const m of messages) {
          got++;
          pending = m.info.pending;
          const decoded = parts.add(readHeaders((name) => m.headers?.get(name) || undefined), m.data);
          partial = decoded.kind === 'partial';
          if (decoded.kind !== 'batch' || decoded.batch.lastSeq <= after) continue;
          out.push(decoded.batch);
          changes += decoded.batch.changes.length;
          if (changes >= limit && !partial) break;
        }
        if (got === 0) break;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
    this.using('jetstream');
    return this.page(after, out);
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
