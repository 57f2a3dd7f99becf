/**
 * How a replica reaches a feed. HTTP today (src/transport/http); other transports implement the same
 * interface. The follower treats what arrives as untrusted: it checks order and completeness itself.
 */
import type { PublicKeyInfo } from '../exchange/keys.js';
import type { BucketDigests } from '../exchange/digest.js';
import type { ChangeBatch, SnapshotLine } from '../exchange/protocol.js';

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
