/**
 * The exchange feed over HTTP(S): `GET /v1/exchange/snapshot` (NDJSON) and long-polled `GET
 * /v1/exchange/changes`, with undici's fetch. Given a CA (`erx border serve --ca FILE`), HTTPS
 * connections trust that CA alone — the register's certificate is pinned to it, and a certificate
 * from any other authority (or a plain-HTTP URL, which could not be checked) is refused.
 */
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Agent, fetch } from 'undici';
import type { PublicKeyInfo } from '../../exchange/keys.js';
import type { ChangeBatch, SnapshotLine } from '../../exchange/protocol.js';
import type { ImageManifest } from '../../exchange/image.js';
import { FeedError, type FeedClient, type RemoteDigest } from '../../border/sync/feedClient.js';

export interface FeedTls {
  /** PEM certificate(s) of the CA that must have signed the feed's certificate (nothing else is trusted). */
  ca?: string | Buffer;
}

/** TLS failures that mean "not the certificate we trust", as node reports them. */
const CERTIFICATE_ERRORS = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_/;

/**
 * How long a changes request may take beyond the wait it asked for (ms). A register that hangs with
 * its socket open (a stopped process, a frozen VM, a black-holed route) would otherwise hold the
 * request for ever; past this the request fails and the follower retries, while the replica's data
 * ages, since only new signed head claims make it current (border/freshness.ts).
 */
export const CHANGES_MARGIN_MS = 15_000;

export class HttpFeedClient implements FeedClient {
  readonly source: string;
  private readonly dispatcher: Agent | undefined;
  private readonly changesMarginMs: number;

  constructor(
    baseUrl: string,
    private readonly token?: string,
    tls: FeedTls = {},
    options: { changesMarginMs?: number } = {},
  ) {
    this.source = baseUrl.replace(/\/+$/, '');
    this.changesMarginMs = options.changesMarginMs ?? CHANGES_MARGIN_MS;
    if (tls.ca !== undefined) {
      if (!this.source.startsWith('https://')) throw new Error(`a pinned CA (--ca) needs an https:// feed URL, not ${this.source}`);
      this.dispatcher = new Agent({ connect: { ca: tls.ca } });
    }
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'x-request-id': crypto.randomUUID() };
    if (this.token) h.authorization = `Bearer ${this.token}`;
    return h;
  }

  private async get(path: string, signal?: AbortSignal): Promise<Awaited<ReturnType<typeof fetch>>> {
    let res;
    try {
      res = await fetch(this.source + path, { headers: this.headers(), signal: signal ?? null, ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}) });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (cause?.code && CERTIFICATE_ERRORS.test(cause.code)) {
        throw new FeedError(`TLS: ${this.source} presented a certificate this replica does not trust (${cause.code}: ${cause.message})${this.dispatcher ? '; it must be signed by the CA given with --ca' : '; give the CA that signed it with --ca FILE'}`, 0);
      }
      throw err;
    }
    if (!res.ok) {
      let reason = res.statusText;
      try {
        const body = (await res.json()) as { error?: string };
        if (body.error) reason = body.error;
      } catch {
        // a body that is not our JSON error: the status text says enough
      }
      throw new FeedError(`${path.split('?')[0]} answered ${res.status}: ${reason}`, res.status);
    }
    return res;
  }

  async changes(after: number, limit: number, waitMs: number, signal?: AbortSignal, options: { reliefOnly?: boolean } = {}): Promise<ChangeBatch> {
    const limitMs = waitMs + this.changesMarginMs;
    const deadline = AbortSignal.timeout(limitMs);
    let body: ChangeBatch;
    try {
      const res = await this.get(`/v1/exchange/changes?after=${after}&limit=${limit}&wait=${waitMs}${options.reliefOnly ? '&relief=1' : ''}`, signal ? AbortSignal.any([signal, deadline]) : deadline);
      body = (await res.json()) as ChangeBatch;
    } catch (err) {
      if (deadline.aborted && !signal?.aborted) throw new FeedError(`the feed did not answer a changes request within ${limitMs / 1000} s (its wait ${waitMs / 1000} s plus ${this.changesMarginMs / 1000} s)`, 0);
      throw err;
    }
    if (!body || !Array.isArray(body.batches) || typeof body.registerSeq !== 'number') {
      throw new FeedError('change feed answered with something that is not a page of batches', 0);
    }
    return body;
  }

  async keys(signal?: AbortSignal): Promise<PublicKeyInfo[]> {
    const body = (await (await this.get('/v1/exchange/keys', signal)).json()) as { keys?: PublicKeyInfo[] };
    if (!Array.isArray(body.keys)) throw new FeedError('key list answered with something that is not a key list', 0);
    return body.keys;
  }

  async digest(signal?: AbortSignal): Promise<RemoteDigest> {
    const body = (await (await this.get('/v1/exchange/digest', signal)).json()) as RemoteDigest;
    if (!Array.isArray(body.counts) || !Array.isArray(body.sums)) throw new FeedError('digest answered with something that is not a digest', 0);
    return body;
  }

  async image(signal?: AbortSignal): Promise<ImageManifest | null> {
    try {
      return (await (await this.get('/v1/exchange/image', signal)).json()) as ImageManifest;
    } catch (err) {
      if (err instanceof FeedError && err.status === 404) return null;
      throw err;
    }
  }

  async *imageFile(asOfSeq: number, signal?: AbortSignal): AsyncIterable<Uint8Array> {
    const res = await this.get(`/v1/exchange/image/${asOfSeq}`, signal);
    if (!res.body) throw new FeedError('the replica image answered with an empty body', 0);
    yield* Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>) as AsyncIterable<Uint8Array>;
  }

  async *snapshot(signal?: AbortSignal, buckets?: number[]): AsyncIterable<SnapshotLine> {
    const res = await this.get(`/v1/exchange/snapshot${buckets ? `?buckets=${buckets.join(',')}` : ''}`, signal);
    if (!res.body) throw new FeedError('snapshot answered with an empty body', 0);
    const lines = createInterface({ input: Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), crlfDelay: Infinity });
    let n = 0;
    for await (const line of lines) {
      n++;
      if (!line) continue;
      let parsed: SnapshotLine;
      try {
        parsed = JSON.parse(line) as SnapshotLine;
      } catch {
        throw new FeedError(`snapshot line ${n} is not JSON`, 0);
      }
      yield parsed;
    }
  }
}
