/**
 * How a replica reaches a feed. HTTP today (src/transport/http); other transports implement the same
 * interface. The follower treats what arrives as untrusted: it checks order and completeness itself.
 */
import type { PublicKeyInfo } from '../exchange/keys.js';
import type { ChangeBatch, SnapshotLine } from '../exchange/protocol.js';

export interface FeedClient {
  /** Where the feed comes from, for logs and status. */
  readonly source: string;
  snapshot(signal?: AbortSignal): AsyncIterable<SnapshotLine>;
  changes(after: number, limit: number, waitMs: number, signal?: AbortSignal): Promise<ChangeBatch>;
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
