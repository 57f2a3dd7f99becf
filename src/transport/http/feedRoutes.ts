/**
 * The serving side of the exchange: a snapshot stream and a long-polled change feed. Any process that
 * holds an ordered log of signed batches can serve it: the register (its own store), and a replica
 * serving onward to the next tier (border/relay), which passes the register's signed batches and
 * snapshot through unchanged — so a checkpoint verifies the register's signature however many tiers
 * away it is.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { changesQuery, imageParams, snapshotQuery as snapshotQuerySchema } from '../../api/feedQueries.js';
import { Conflict, ErxError } from '../../shared/errors.js';
import { type AuthGate, route } from '../../auth/route.js';
import { addRecord, BUCKETS, emptyDigests } from '../../exchange/digest.js';
import type { FeedSource, ImageSource } from '../../exchange/feedSource.js';
import { type ChangeBatch, PROTOCOL_VERSION } from '../../exchange/protocol.js';

export { MAX_BATCH, MAX_WAIT_MS } from '../../api/feedQueries.js';
/** How often a waiting long-poll re-reads the head, to notice writes made by another process (an import). */
const HEAD_POLL_MS = 250;

const snapshotQuery = snapshotQuerySchema(BUCKETS);

/** Resolves when the head passes `after`, the wait runs out, or the client goes away. */
function waitForChange(source: FeedSource, after: number, waitMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      unsubscribe();
      unsubscribeClaims?.();
      clearTimeout(timeout);
      clearInterval(poll);
      signal.removeEventListener('abort', finish);
      resolve();
    };
    const unsubscribe = source.onCommit((head) => {
      if (head > after) finish();
    });
    const unsubscribeClaims = source.onHeadClaim?.(finish);
    const timeout = setTimeout(finish, waitMs);
    const poll = setInterval(() => {
      void source.headSeq().then((head) => head > after && finish(), finish);
    }, HEAD_POLL_MS);
    signal.addEventListener('abort', finish);
  });
}

/** Who may follow a feed: the border's central database, checkpoints (following a centre), operators. */
const FOLLOWERS = ['border', 'checkpoint', 'operator'] as const;

/** Hooks for metrics; all optional. */
export interface FeedObserver {
  snapshotStarted?(): void;
  snapshotEnded?(): void;
  waitStarted?(): void;
  waitEnded?(): void;
  cursor?(client: string, after: number): void;
}


export function registerFeedRoutes(app: FastifyInstance, gate: AuthGate, source: FeedSource, observer: FeedObserver = {}, images?: ImageSource): void {
  const tags = ['exchange'];
  route(app, gate, { method: 'GET', url: '/v1/exchange/image', summary: 'The signed manifest of the current replica image (a prepared replica database to bootstrap from)', tags, access: FOLLOWERS }, async () => {
    const manifest = await images?.manifest();
    if (!manifest) throw new ErxError(404, 'this feed offers no replica image (the register builds one with `erx register image`); bootstrap from /v1/exchange/snapshot');
    return manifest;
  });
  route(app, gate, { method: 'GET', url: '/v1/exchange/image/:asOfSeq', summary: 'The file of the replica image as of a sequence number (check it against its signed manifest)', tags, access: FOLLOWERS, params: imageParams }, async ({ params, reply }) => {
    const file = await images?.file(params.asOfSeq);
    if (!file) throw new ErxError(404, `no replica image as of ${params.asOfSeq} here (a newer one may have replaced it: ask /v1/exchange/image again)`, 'asOfSeq');
    reply.header('content-type', 'application/octet-stream');
    reply.header('content-length', String(file.bytes));
    return reply.send(file.stream);
  });

  route(app, gate, { method: 'GET', url: '/v1/exchange/changes', summary: 'Signed batches after a cursor (long-poll with wait)', tags, access: FOLLOWERS, query: changesQuery }, async ({ query, req, principal }): Promise<ChangeBatch> => {
    observer.cursor?.(principal?.sub ?? req.ip, query.after);
    let head = await source.headSeq();
    if (query.after > head) {
      throw new Conflict(`cursor ${query.after} is ahead of this feed's newest change ${head}`, 'after');
    }
    const oldest = await source.oldestSeq();
    if (query.after + 1 < oldest && query.after < head) {
      throw new ErxError(410, `changes after ${query.after} were compacted away (the oldest kept is ${oldest}); bootstrap again from /v1/exchange/snapshot`, 'after');
    }
    if (query.after === head && query.wait > 0) {
      const abort = new AbortController();
      req.raw.once('close', () => abort.abort());
      observer.waitStarted?.();
      try {
        await waitForChange(source, query.after, query.wait, abort.signal);
      } finally {
        observer.waitEnded?.();
      }
      head = await source.headSeq();
    }
    const batches = head > query.after ? await source.batchesAfter(query.after, query.limit, { reliefOnly: query.relief }) : [];
    const headClaim = (await source.headClaim?.()) ?? null;
    return { protocol: PROTOCOL_VERSION, after: query.after, batches, registerSeq: head, registerTime: (await source.registerTime?.()) ?? new Date().toISOString(), ...(headClaim ? { headClaim } : {}) };
  });

  route(app, gate, { method: 'GET', url: '/v1/exchange/keys', summary: "The register's published signing keys", tags, access: 'public' }, async () => ({ keys: await source.keys() }));

  route(app, gate, { method: 'GET', url: '/v1/exchange/digest', summary: 'Bucket digests of the current state (anti-entropy)', tags, access: FOLLOWERS }, async () => {
    if (source.digest) return { ...(await source.digest()), buckets: BUCKETS };
    const digests = emptyDigests();
    let asOfSeq = 0;
    let lastHash = '';
    for await (const line of source.snapshot()) {
      if (line.type === 'header') ({ asOfSeq, lastHash } = line);
      else if (line.type !== 'end') addRecord(digests, line);
    }
    return { asOfSeq, lastHash, buckets: BUCKETS, ...digests };
  });

  route(app, gate, { method: 'GET', url: '/v1/exchange/snapshot', summary: 'A consistent, signed snapshot (NDJSON), whole or some buckets', tags, access: FOLLOWERS, query: snapshotQuery }, async ({ query, reply }) => {
    const { buckets } = query;
    // The first line is read before the answer starts, so a source that cannot give a snapshot (a
    // relay that holds none yet) answers with its error status rather than a broken stream.
    const lines = source.snapshot(buckets ? { buckets } : {})[Symbol.asyncIterator]();
    const first = await lines.next();
    // Ends the source (its read transaction) once, whether the stream finishes or the client leaves first.
    let ended = false;
    const end = async () => {
      if (ended) return;
      ended = true;
      await lines.return?.();
    };
    reply.raw.once('close', () => void end().catch(() => undefined));
    async function* ndjson() {
      observer.snapshotStarted?.();
      try {
        let chunk = '';
        for (let r = first; !r.done; r = await lines.next()) {
          const line = r.value;
          chunk += JSON.stringify(line) + '\n';
          if (chunk.length > 64 * 1024) {
            yield chunk;
            chunk = '';
          }
        }
        if (chunk) yield chunk;
      } finally {
        await end();
        observer.snapshotEnded?.();
      }
    }
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    return reply.send(Readable.from(ndjson()));
  });
}
