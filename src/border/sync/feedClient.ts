/**
 * How a replica reaches a feed: over HTTP (src/transport/http: the register, or a replica serving the
 * feed onward) or over NATS JetStream (src/transport/nats: changes from the register's stream, the rest
 * over HTTP).
 *
 * The contract is deliberately small, because the follower treats whatever arrives as untrusted and
 * checks order, completeness, the hash chain and the signatures itself (border/sync/follower.ts,
 * exchange/planPage.ts). A transport must:
 *  - hand out batches exactly as the register signed them (never re-serialise them into something
 *    else, split or merge them) — a checkpoint verifies the register's signature whatever carried them;
 *  - answer `changes(after)` for any `after` the caller asks, again and again (a refused page is asked
 *    for again; a replica may restart anywhere): the caller's cursor, kept in its own database, is the
 *    only cursor — so a replica can change transport without bootstrapping again;
 *  - pass the register's signed head claim (`headClaim`, exchange/headClaim.ts) unchanged: a replica
 *    takes its freshness from that alone; `registerSeq`/`registerTime` are unsigned hints that steer
 *    fetching, and should still say no more than the register (or a relay) knows;
 *  - with `waitMs`, hold the answer until something newer exists or the time runs out (a long-poll),
 *    and give up promptly when `signal` aborts.
 */
import type { PublicKeyInfo } from '../../exchange/keys.js';
import type { BucketDigests } from '../../exchange/digest.js';
import type { ChangeBatch, SnapshotLine } from '../../exchange/protocol.js';
import type { ImageManifest } from '../../exchange/image.js';

export interface RemoteDigest extends BucketDigests {
  asOfSeq: number;
  lastHash: string;
}

export interface FeedClient {
  /** Where the feed comes from, for logs and status. */
  readonly source: string;
  /** The whole state, or only some buckets (for anti-entropy repair). */
  snapshot(signal?: AbortSignal, buckets?: number[]): AsyncIterable<SnapshotLine>;
  /** Bucket digests of the feed's current state. */
  digest(signal?: AbortSignal): Promise<RemoteDigest>;
  /** With `reliefOnly`, only the batches holding lifts and deferments (the priority lane). */
  changes(after: number, limit: number, waitMs: number, signal?: AbortSignal, options?: { reliefOnly?: boolean }): Promise<ChangeBatch>;
  /** The signing keys the feed publishes (trusted only through endorsement or configuration). */
  keys(signal?: AbortSignal): Promise<PublicKeyInfo[]>;
  /** The feed's current replica image (exchange/image.ts), unverified; null when it offers none. */
  image?(signal?: AbortSignal): Promise<ImageManifest | null>;
  /** The bytes of the image with that `asOfSeq`, unverified (the store checks them against the manifest). */
  imageFile?(asOfSeq: number, signal?: AbortSignal): AsyncIterable<Uint8Array>;
}

/** The feed answered, but not with what was asked for. `status` is the HTTP status or 0 for a bad body. */
export class FeedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}
