/**
 * What a border replica process is started with, and the combinations refused before anything opens.
 * The options are the one contract between the command line (cli/commands/border.ts), the tests and the
 * bench on one side and the composition (createBorderReplica.ts) on the other.
 */
import type { Matcher } from '../../matching/index.js';
import type { TlsFiles } from '../../shared/http.js';
import { parseBusUrl } from '../../transport/nats/busConfig.js';

export interface BorderOptions {
  dataDir: string;
  /** A postgres:// URL to keep the replica in PostgreSQL (a border central database); default SQLite (or ERX_STORE). */
  store?: string;
  registerUrl: string;
  token?: string;
  /** A nats:// URL: take changes from the register's JetStream stream (snapshots and keys still from registerUrl). */
  bus?: string;
  /** Serve the register's feed onward (tiers): checkpoints may follow this replica with --register. */
  serveFeed?: boolean;
  /**
   * Bootstrap from the feed's replica image when it offers one that fits (default true). A replica
   * serving the feed onward (serveFeed) always takes the snapshot: it keeps it for its checkpoints
   * (and a copy of the register's image, for them: exchange/relay/relayImages.ts).
   */
  images?: boolean;
  /**
   * With serveFeed: also publish the register's signed batches, as this replica holds them, to this
   * NATS JetStream stream of its own, for its checkpoints to follow with --bus (a centre's own fan-out).
   */
  publishBus?: string;
  /** A trust file (`erx register keys export`). Without one (and no keys pinned in dataDir) the replica refuses to start… */
  trustFile?: string;
  /** …unless this is true: then the keys the feed publishes at first contact are pinned (trust on first use). Default false. */
  trustOnFirstUse?: boolean;
  matcher?: Matcher;
  longPollMs?: number;
  batchSize?: number;
  /** Above this lag (seconds) a clear becomes a refer ("replica data too old"). */
  maxStalenessSeconds?: number;
  /** The checkpoint's IANA time zone (category-wide rules judge ages on its calendar date). */
  timeZone?: string;
  /**
   * Compare digests with the register (anti-entropy) at most this often (ms), and at start in any case;
   * spaced out further by what a comparison costs (replicaHealth.ts H4). Absent: only at start.
   */
  verifyEveryMs?: number;
  /** Check the database file's structure (SQLite quick_check) this often (ms), and at start (default hourly). */
  checkEveryMs?: number;
  /** Require bearer tokens (default). Off only for local experiments. */
  auth?: boolean;
  /** Sign the audit chain's head this often when it moved, and at shutdown (ms; default 60 s); the heads go to the register followed. */
  auditHeadEveryMs?: number;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsFiles;
  /** PEM CA certificate(s): the feed's HTTPS certificate must be signed by it (pinned; nothing else trusted). */
  ca?: string | Buffer;
  onBootstrapProgress?: (done: number, total: number) => void;
}

/** The structural check of the database (SQLite quick_check: 0.65 s at a million persons, in a worker thread). */
export const DEFAULT_CHECK_EVERY_MS = 60 * 60_000;

/** Throws on options that cannot work together; called before anything is opened. */
export function refuseConflictingOptions(options: BorderOptions): void {
  if (options.publishBus && !options.serveFeed) throw new Error('publishing to a bus (--publish-bus) needs --serve-feed: the stream carries the feed this replica serves onward');
  if (options.publishBus && options.bus && parseBusUrl(options.publishBus).stream === parseBusUrl(options.bus).stream) {
    throw new Error(`--publish-bus names the stream this replica follows (--bus, stream ${parseBusUrl(options.bus).stream}): give the onward stream a name of its own (?stream=NAME)`);
  }
  if (options.ca !== undefined && !/^https:\/\//i.test(options.registerUrl)) throw new Error(`--ca pins the CA of an HTTPS feed: --register must be an https:// URL, not ${options.registerUrl}`);
}
