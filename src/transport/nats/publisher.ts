/**
 * The register side of the JetStream fan-out: every signed batch the register commits is published,
 * unchanged, to the exchange's stream, in order, so any number of replicas can follow the stream
 * instead of long-polling the register.
 *
 * Guarantees:
 *  P1  the stream holds the register's batches in sequence order, each once (a batch cut into parts,
 *      see wire.ts, may appear a second time after an abandoned first half; readers drop the half);
 *  P2  nothing is lost to a crash or an outage: the publisher keeps no cursor of its own — on every
 *      (re)start it reads the stream's last message and continues from the batch after it, reading
 *      the register's own log (`batchesAfter`). A re-publish of a message that did arrive is dropped
 *      by JetStream's duplicate window (the message id is derived from the batch), and every publish
 *      names the stream sequence it expects to follow (`expect.lastSequence`), so two publishers on
 *      one stream, or a stream edited behind the publisher's back, make it stop and re-read instead
 *      of interleaving;
 *  P3  a stream that belongs to another history (its last batch's hash is not the register's batch
 *      with that number, or it reaches past the register's head) is never appended to: the publisher
 *      reports the error and stays silent, and replicas take their changes over HTTP;
 *  P4  a heartbeat on core NATS (`erx.<stream>.head`, every second and after bursts) says how far the
 *      stream reaches and as of which register time it held everything committed. Replicas use it to
 *      know they are current; it is sent only while publishing works, so a silent heartbeat means
 *      "the stream may be behind" and replicas fall back to HTTP. It carries the source's signed head
 *      claim (exchange/headClaim.ts: the register's own, fresh; a relay's newest held), the only part
 *      a replica takes its freshness from — the rest of the heartbeat is unsigned and steers only.
 *
 * A NATS outage never blocks the register: publishing runs beside it and catches up afterwards.
 * An empty (new or purged) stream is started at the register's head when publishing was switched
 * on — replicas behind that point take the older changes from the register over HTTP (the JetStream
 * feed client does this by itself), so a purge costs no re-bootstrap, and a register with years of
 * history does not flood a new stream with it.
 */
import { EventEmitter } from 'node:events';
import { headers as natsHeaders, type JetStreamClient, type JetStreamManager, type NatsConnection, RetentionPolicy, StorageType, DiscardPolicy } from 'nats';
import type { HeadClaim } from '../../exchange/headClaim.js';
import type { SignedBatch } from '../../exchange/protocol.js';
import { createLogger, type Logger } from '../../shared/log.js';
import type { ServiceMetrics } from '../../shared/metrics.js';
import { type BusConfig, parseBusUrl } from './busConfig.js';
import { connectBus, messageAtOrAfter, streamInfo } from './connection.js';
import { encodeBatch, type Heartbeat } from './wire.js';

/** What the publisher reads: the register's store (or any feed that holds signed batches in order). */
export interface PublishSource {
  headSeq(): Promise<number>;
  batchesAfter(after: number, maxChanges: number): Promise<SignedBatch[]>;
  onCommit(listener: (headSeq: number) => void): () => void;
  /**
   * The register time as of which the source holds every change, when that is not "now": a replica
   * serving the feed onward (border/relay) was only current as of the moment it last heard the
   * register, and its stream's heartbeat must say no more than that. Absent: the register itself.
   */
  registerTime?(): Promise<string>;
  /** The signed head claim to put on each heartbeat (the register makes a fresh one, a relay passes its newest). */
  headClaim?(): Promise<HeadClaim | null>;
}

export interface PublisherOptions {
  bus: BusConfig;
  source: PublishSource;
  log: Logger;
  /** How often the heartbeat goes out (ms). */
  heartbeatMs?: number;
  /** Stream limits used when the publisher creates the stream (an existing stream is never altered). */
  maxAgeDays?: number;
  /** Largest message to send (bytes); the server's max_payload when lower. Larger batches travel in parts. */
  maxPayload?: number;
  connectionName?: string;
}

export interface PublisherStatus {
  connected: boolean;
  stream: string;
  /** Register sequence number up to which the stream holds every batch (null before the first sync). */
  publishedSeq: number | null;
  /** Register time at which the stream last held every committed change. */
  asOf: string | null;
  lastError: string | null;
  published: number;
}

const PAGE_CHANGES = 1000;
const MAX_BACKOFF_MS = 30_000;
const NS_PER_MS = 1_000_000;

export class StreamConflict extends Error {}

export class BatchPublisher extends EventEmitter {
  private nc: NatsConnection | null = null;
  private connecting: Promise<NatsConnection> | null = null;
  private stopped = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Register seq the stream holds every batch up to; null until synced with the stream. */
  private publishedSeq: number | null = null;
  /** The stream's own last sequence, which the next publish must follow. */
  private streamLast = 0;
  private asOf: string | null = null;
  private lastError: string | null = null;
  private healthy = false;
  private lastHeartbeat = 0;
  private publishedCount = 0;
  private startHead: Promise<number> | null = null;
  /** Aborted by stop(): ends a wait for a connection that may never come. */
  private readonly aborted = new AbortController();
  /** Commits seen; compared across an await so a commit that lands meanwhile is never slept through. */
  private commits = 0;

  constructor(private readonly options: PublisherOptions) {
    super();
  }

  start(): void {
    if (this.loop) return;
    // Where a new (empty) stream starts: the register's head now, when publishing was switched on —
    // not when NATS first answers, so commits made while connecting still reach the stream.
    this.startHead = this.options.source.headSeq();
    this.startHead.catch(() => undefined);
    this.unsubscribe = this.options.source.onCommit(() => {
      this.commits++;
      this.wake?.();
    });
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.wake?.();
    // Closing the connection first ends a publish waiting for its acknowledgement, and a connection
    // still being attempted (NATS unreachable) is given up — so a register stops promptly whatever NATS
    // is doing. Nothing is lost: the next start continues from the stream's end (P2).
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.close().catch(() => undefined);
    this.aborted.abort();
    await this.loop;
  }

  status(): PublisherStatus {
    return {
      connected: this.nc !== null && !this.nc.isClosed(),
      stream: this.options.bus.stream,
      publishedSeq: this.publishedSeq,
      asOf: this.asOf,
      lastError: this.lastError,
      published: this.publishedCount,
    };
  }

  private async connection(): Promise<NatsConnection> {
    if (this.nc && !this.nc.isClosed()) return this.nc;
    this.connecting ??= connectBus(this.options.bus, this.options.connectionName ?? 'erx-register-publisher', this.aborted.signal);
    let nc: NatsConnection;
    try {
      nc = await this.connecting;
    } finally {
      this.connecting = null;
    }
    if (this.stopped) {
      await nc.close();
      throw new Error('stopped');
    }
    this.nc = nc;
    this.options.log.info({ bus: this.options.bus.display, stream: this.options.bus.stream }, 'connected to NATS; publishing signed batches to JetStream');
    return nc;
  }

  private async run(): Promise<void> {
    let backoff = 500;
    while (!this.stopped) {
      try {
        const nc = await this.connection();
        const jsm = await nc.jetstreamManager();
        await this.sync(jsm);
        this.lastError = null;
        this.healthy = true;
        backoff = 500;
        await this.publishLoop(nc, nc.jetstream());
      } catch (err) {
        if (this.stopped) break;
        this.healthy = false;
        this.publishedSeq = null;
        const message = err instanceof Error ? err.message : String(err);
        if (message !== this.lastError) {
          this.options.log[err instanceof StreamConflict ? 'error' : 'warn']({ err: message, retryInMs: backoff }, 'publishing to JetStream failed; replicas take changes over HTTP meanwhile');
        }
        this.lastError = message;
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  /** Creates the stream if missing, then learns where it ends (P2) and checks that it is ours (P3). */
  private async sync(jsm: JetStreamManager): Promise<void> {
    const { bus, source, log } = this.options;
    let info = await streamInfo(jsm, bus.stream);
    if (!info) {
      info = await jsm.streams.add({
        name: bus.stream,
        description: 'erx: the register\'s signed change batches, in order (see docs/nats.md)',
        subjects: [bus.subjects.batches],
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: (this.options.maxAgeDays ?? 7) * 86_400_000 * NS_PER_MS,
        duplicate_window: 120_000 * NS_PER_MS,
        allow_direct: true,
      });
      log.info({ stream: bus.stream, subjects: bus.subjects.batches }, 'created the JetStream stream');
    } else if (!info.config.subjects?.includes(bus.subjects.batches)) {
      throw new StreamConflict(`JetStream stream ${bus.stream} exists but does not capture ${bus.subjects.batches} (it captures ${info.config.subjects?.join(', ') || 'nothing'}); give another ?stream= name`);
    }
    this.streamLast = info.state.last_seq;
    const head = await source.headSeq();
    if (info.state.messages === 0) {
      // A source that could not say at start (a replica serving onward before its first snapshot
      // arrived) starts the stream at its head now.
      this.publishedSeq = Math.min(head, (await this.startHead?.catch(() => head)) ?? head);
      log.info({ stream: bus.stream, from: this.publishedSeq + 1 }, 'the stream is empty: publishing from the register\'s head at start (replicas behind it take older changes over HTTP)');
      return;
    }
    const last = await messageAtOrAfter(jsm, bus.stream, info.state.last_seq, info.state.last_seq);
    const h = last?.headers;
    if (!h) throw new StreamConflict(`the last message of JetStream stream ${bus.stream} is not an erx batch; refusing to append to it`);
    if (h.lastSeq > head) {
      throw new StreamConflict(`JetStream stream ${bus.stream} holds batches up to ${h.lastSeq}, but this register's head is ${head}: the stream belongs to another register or history; refusing to publish (delete the stream or give another ?stream= name)`);
    }
    // A batch cut short by a crash (not all its parts published) is republished whole.
    const published = h.part === h.parts ? h.lastSeq : h.firstSeq - 1;
    const [mine] = await source.batchesAfter(h.firstSeq - 1, 1);
    if (mine && mine.firstSeq <= h.firstSeq) {
      // The register still holds that range: the stream's last batch must be exactly the register's.
      if (mine.firstSeq !== h.firstSeq || mine.lastSeq !== h.lastSeq || mine.hash !== h.hash) {
        throw new StreamConflict(
          `JetStream stream ${bus.stream} ends with batch ${h.firstSeq}–${h.lastSeq} (hash ${h.hash.slice(0, 12)}…), but this register's batch there is ${mine.firstSeq}–${mine.lastSeq} (hash ${mine.hash.slice(0, 12)}…): another history; refusing to publish`,
        );
      }
    } else {
      log.warn({ stream: bus.stream, batch: `${h.firstSeq}–${h.lastSeq}` }, "the stream's last batch is no longer in the register's log (compacted); continuing after it unchecked");
    }
    this.publishedSeq = published;
  }

  private async publishLoop(nc: NatsConnection, js: JetStreamClient): Promise<void> {
    const { source, log, bus } = this.options;
    const heartbeatMs = this.options.heartbeatMs ?? 1000;
    while (!this.stopped) {
      const commits = this.commits;
      const checkedAt = new Date().toISOString();
      const head = await source.headSeq();
      const published = this.publishedSeq!;
      if (published >= head) {
        this.asOf = source.registerTime ? await source.registerTime() : checkedAt;
        await this.heartbeat(nc, true);
        if (commits === this.commits) await this.sleep(heartbeatMs, true);
        continue;
      }
      const batches = await source.batchesAfter(published, PAGE_CHANGES);
      if (batches.length === 0) {
        await this.sleep(heartbeatMs, true);
        continue;
      }
      if (batches[0]!.firstSeq > published + 1) {
        log.warn({ stream: bus.stream, from: published + 1, to: batches[0]!.firstSeq - 1 }, 'the register compacted changes the stream never got; replicas that need them take them over HTTP or bootstrap again');
      }
      for (const batch of batches) {
        if (this.stopped) return;
        await this.publish(nc, js, batch);
        this.publishedSeq = batch.lastSeq;
        this.publishedCount++;
        this.emit('published', batch.lastSeq);
        await this.heartbeat(nc, false);
      }
    }
  }

  private async publish(nc: NatsConnection, js: JetStreamClient, batch: SignedBatch): Promise<void> {
    const maxPayload = Math.min(nc.info?.max_payload ?? 1024 * 1024, this.options.maxPayload ?? Number.MAX_SAFE_INTEGER);
    for (const part of encodeBatch(batch, this.options.bus.subjects, maxPayload)) {
      const h = natsHeaders();
      for (const [k, v] of Object.entries(part.headers)) h.set(k, v);
      const ack = await js.publish(part.subject, part.data, {
        msgID: part.msgId,
        headers: h,
        timeout: 10_000,
        ...(this.streamLast > 0 ? { expect: { lastSequence: this.streamLast } } : {}),
      });
      this.streamLast = Math.max(this.streamLast, ack.seq);
    }
  }

  /** P4: at most once per interval while busy; `idle` sends it regardless (the loop paces it). */
  private async heartbeat(nc: NatsConnection, idle: boolean): Promise<void> {
    const now = Date.now();
    if (!this.healthy || this.publishedSeq === null) return;
    if (!idle && now - this.lastHeartbeat < (this.options.heartbeatMs ?? 1000)) return;
    this.lastHeartbeat = now;
    // A heartbeat without a claim still steers the replicas (the stream's reach); it just vouches for nothing.
    const claim = (await this.options.source.headClaim?.().catch(() => null)) ?? null;
    const hb: Heartbeat = { publishedSeq: this.publishedSeq, asOf: this.asOf, ...(claim ? { claim } : {}) };
    try {
      nc.publish(this.options.bus.subjects.head, JSON.stringify(hb));
    } catch {
      // the connection is closing; the loop notices on its next publish
    }
  }

  /** Sleeps `ms`, or until stopped — or, with `onCommit`, until the register commits. */
  private sleep(ms: number, onCommit = false): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      if (onCommit || this.stopped) this.wake = done;
      else this.wake = () => this.stopped && done();
      if (this.stopped) done();
    });
  }
}

/**
 * The register's publisher, started beside it (`erx register serve --bus URL`), with its metrics:
 * how far the stream reaches, and whether publishing works.
 */
/** `metricPrefix`: `erx_register` for the register, `erx_replica_onward` for a replica publishing onward. */
export function startBusPublisher(busUrl: string, source: PublishSource, metrics: ServiceMetrics, log: Logger = createLogger('bus'), metricPrefix = 'erx_register'): BatchPublisher {
  const publisher = new BatchPublisher({ bus: parseBusUrl(busUrl), source, log });
  metrics.gauge(`${metricPrefix}_bus_published_seq`, 'Register sequence number up to which the JetStream stream holds every batch', [], function () {
    this.set(publisher.status().publishedSeq ?? Number.NaN);
  });
  metrics.gauge(`${metricPrefix}_bus_healthy`, '1 while batches are being published to JetStream, 0 during an outage', [], function () {
    this.set(publisher.status().lastError === null && publisher.status().connected ? 1 : 0);
  });
  publisher.start();
  return publisher;
}
