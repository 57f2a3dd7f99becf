/**
 * What serving a feed needs from whoever holds one — the register (its own store) or a relay (the
 * register's signed batches and snapshot, kept unchanged): the ports the feed's server side reads
 * (transport/http/feedRoutes.ts). No I/O here, only the contracts.
 */
import type { Readable } from 'node:stream';
import type { BucketDigests } from './digest.js';
import type { HeadClaim } from './headClaim.js';
import type { ImageManifest } from './image.js';
import type { PublicKeyInfo } from './keys.js';
import type { SignedBatch, SnapshotLine } from './protocol.js';

export interface FeedSource {
  headSeq(): Promise<number>;
  batchesAfter(after: number, maxChanges: number, options?: { reliefOnly?: boolean }): Promise<SignedBatch[]>;
  /** The oldest sequence number still served; a cursor before it must re-bootstrap. */
  oldestSeq(): Promise<number>;
  snapshot(options?: { buckets?: number[] }): AsyncIterable<SnapshotLine>;
  onCommit(listener: (headSeq: number) => void): () => void;
  /** The keys whose signatures this feed's batches carry (the register's, wherever it is served from). */
  keys(): Promise<PublicKeyInfo[]>;
  /**
   * Bucket digests of the state as of a sequence number this feed serves. Optional: without it they
   * are computed from `snapshot()` (a relay answers with the register's, passed through).
   */
  digest?(): Promise<RemoteDigestAnswer>;
  /**
   * The register time as of which this feed holds every change it reports (a page's `registerTime`).
   * Optional: the register's own feed is complete now. A relay answers with the time it was itself last
   * current, so a checkpoint behind a centre that lost the register does not believe itself current.
   */
  registerTime?(): Promise<string>;
  /**
   * The register's signed claim about its head (exchange/headClaim.ts), put on every page: made fresh
   * by the register, the newest one held by a relay (which cannot make one). Optional: without it pages
   * carry no claim and give a replica no freshness.
   */
  headClaim?(): Promise<HeadClaim | null>;
  /**
   * A relay tells waiting long-polls about a newer claim it heard, so it reaches the tier below at once
   * rather than at the end of the wait (a claim held back for a whole wait would look older there).
   */
  onHeadClaim?(listener: () => void): () => void;
}

/** Where a feed's replica images come from (exchange/image.ts): the register's own, or a relay's copy of them. */
export interface ImageSource {
  /** The current image's signed manifest, or null when there is none. */
  manifest(): Promise<ImageManifest | null>;
  /** The file of the image as of `asOfSeq`, or null when that is not (or no longer) the current image. */
  file(asOfSeq: number): Promise<{ bytes: number; stream: Readable } | null>;
}

export interface RemoteDigestAnswer extends BucketDigests {
  asOfSeq: number;
  lastHash: string;
}
