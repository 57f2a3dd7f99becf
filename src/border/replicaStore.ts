/**
 * What a border replica needs from its storage (the border's storage port). Implementations, one per
 * backend, split by concern (schema, bootstrap, apply, repair, reads): src/store/sqlite/replicaStore.ts
 * and src/store/postgres/replicaStore.ts; both pass one contract suite (test/store/contract.test.ts).
 *
 * Guarantees an implementation must give:
 *  - Atomic: `applyBatches` commits the entity writes, the applied-batch hashes, the new cursor, the
 *    last batch hash and the applied-changes counter together, or nothing. `applyRelief` and
 *    `repairBuckets` are each one transaction too. A crash at any point leaves the state as of the
 *    last commit.
 *  - Guarded by the cursor: `applyBatches`, `applyRelief` and `repairBuckets` refuse (throw
 *    CursorMoved, changing nothing) unless the stored cursor is still `expectedCursor`, checked inside
 *    their transaction, so a batch can never be applied twice, even by two racing callers.
 *  - Ordered: changes are applied in sequence order; a row never goes back to an older state (a change
 *    whose seq is not above the row's is skipped), so relief applied ahead of the cursor survives the
 *    older changes of the same entity arriving in order. The cursor only moves forward, to the last
 *    applied batch's lastSeq (a bootstrap sets it anew).
 *  - Idempotent: `applyRelief` may be repeated (a change already applied is skipped); `noteContact`,
 *    `digest` and the reads may be repeated; `repairBuckets` with the same records is a no-op the
 *    second time. `applyBatches` is idempotent only through the cursor check (a replay is refused).
 *  - All-or-nothing bootstrap: until `finish` (or `installImage`) commits, the replica keeps reporting
 *    its previous state (or none) and screening goes on from it; a bootstrap interrupted by a crash is
 *    discarded and started again.
 *  - Append-only audit: `recordScreening` has committed the entry (durable against a killed process)
 *    when it resolves; entries are never updated or deleted.
 */
import type { NewAuditEntry } from '../audit/chain.js';
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule, SnapshotRecord } from '../exchange/protocol.js';
import type { SignedOutcome } from '../exchange/outcome.js';
import type { BucketDigests } from '../exchange/digest.js';
import type { BatchToApply } from '../exchange/planPage.js';
import type { CandidateSource } from '../matching/index.js';
import type { ImageFormat, ImageManifest } from '../exchange/image.js';
import type { SyncView } from './syncView.js';

export interface ReplicaState {
  /** Sequence number of the last change applied; null before the first bootstrap completes. */
  cursor: number | null;
  /** Hash of the last batch applied (or of the snapshot's last batch): the chain continues from it. */
  lastHash: string;
  /** The register's newest sequence number as last heard. */
  registerSeq: number;
  /** Register time at which this replica last knew itself to hold every change (ISO), or null. */
  dataAsOf: string | null;
  /** Changes applied since bootstrap, counted in the same transaction as the cursor. */
  changesApplied: number;
  /** Sequence number of the snapshot the replica was bootstrapped from. */
  snapshotSeq: number | null;
  persons: number;
  restrictions: number;
}

export class CursorMoved extends Error {
  constructor(expected: number, actual: number | null) {
    super(`replica cursor is ${actual}, not ${expected}; the batch was not applied`);
  }
}

/** The screening already has an outcome (one per screening, enforced by a unique key in the store). */
export class OutcomeExists extends Error {
  constructor(readonly existing: SignedOutcome) {
    super(`screening ${existing.outcome.screeningId} already has an outcome (${existing.outcome.outcome}, recorded ${existing.outcome.recordedAt})`);
  }
}

/** What an outcome's number makes: the signed outcome and its audit entry, written together. */
export type SealOutcome = (n: number) => { signed: SignedOutcome; audit: NewAuditEntry };

export interface BootstrapWriter {
  write(records: SnapshotRecord[]): Promise<void>;
  finish(asOfSeq: number, registerTime: string, lastHash: string): Promise<void>;
}

export interface ScreeningAuditEntry {
  screeningId: string;
  at: string;
  requester: string;
  request: unknown;
  decision: string;
  reasons: unknown;
  replicaSeq: number;
  /** A traveller of a carrier's manifest: which manifest, and where in it (border/manifests). */
  manifest?: { manifestId: string; position: number };
}

export interface RepairReport {
  buckets: number;
  inserted: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

export interface ReplicaStore extends CandidateSource {
  /** Bucket digests of the replica's whole border view (see exchange/digest.ts). */
  digest(): Promise<BucketDigests>;
  /**
   * The same digests computed off the main thread on a read snapshot (SQLite): `snapshot` resolves
   * with the cursor the digests describe once that snapshot is taken, `digests` when they are
   * computed; the replica may go on applying changes in between. Absent: digest() is the way.
   */
  digestOffThread?(): { snapshot: Promise<number | null>; digests: Promise<BucketDigests> };
  /**
   * Replaces the contents of the given buckets with `records` (the register's, as of the replica's
   * cursor), atomically, and only if the cursor is still `expectedCursor`.
   */
  repairBuckets(expectedCursor: number, buckets: number[], records: SnapshotRecord[]): Promise<RepairReport>;
  state(): Promise<ReplicaState>;
  beginBootstrap(): Promise<BootstrapWriter>;
  /** The replica images (exchange/image.ts) this store can bootstrap from; absent: none. */
  imageFormat?(): ImageFormat;
  /**
   * Bootstraps from the bytes of a replica image whose manifest the caller verified: all-or-nothing
   * like a snapshot bootstrap, refusing bytes that do not match the manifest's length and sha256.
   */
  installImage?(manifest: ImageManifest, chunks: AsyncIterable<Uint8Array>, onProgress?: (bytes: number) => void): Promise<void>;
  /**
   * A structural check of the database files, off the main thread (SQLite: `PRAGMA quick_check`):
   * what is wrong, empty when sound. Absent where the database server checks its own pages (PostgreSQL).
   */
  checkIntegrity?(): Promise<{ problems: string[]; seconds: number }>;
  /**
   * Moves a damaged state aside, kept for inspection under a new name, and starts an empty one that
   * the follower bootstraps (from an image or a snapshot) like a new replica; returns where the damaged
   * copy is. Absent where the store cannot rebuild itself (PostgreSQL).
   */
  setAsideDamaged?(): Promise<string>;
  /** Damage found as the store opened its files, already set aside (the store then starts empty). */
  readonly damagedAtOpen?: { reason: string; keptAs: string } | null;
  applyBatches(expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): Promise<void>;
  /**
   * The priority lane: applies only the relief changes (lifts, deferments) of verified batches beyond
   * the cursor, atomically, without moving the cursor; a row never goes back to an older state.
   * Returns how many changes it applied.
   */
  applyRelief(expectedCursor: number, batches: BatchToApply[]): Promise<number>;
  /** Hashes of applied batches by their last sequence number (to tell an honest duplicate from a replay). */
  knownBatchHashes(lastSeqs: number[]): Promise<Map<number, string>>;
  /** Records that the register was heard from; `caughtUp` when the replica held every change at `registerTime`. */
  noteContact(registerSeq: number, registerTime: string, caughtUp: boolean): Promise<void>;
  restrictionsOf(personIds: string[]): Promise<BorderRestriction[]>;
  /**
   * Runs `reads` (calls of this store's read methods, nothing that writes) as one read of the replica:
   * one snapshot, one read transaction (SQLite, where each statement would otherwise be a transaction
   * with its locking system calls). Absent: the reads run as they come (PostgreSQL's pool).
   */
  readTogether?<T>(reads: () => Promise<T>): Promise<T>;
  getPerson(personId: string): Promise<BorderPerson | undefined>;
  /** Every category-wide rule the replica holds (revoked and expired ones included; screening decides). */
  rules(): Promise<BorderRule[]>;
  /** Every issuing office's record the replica holds (public contact details, for the self-check). */
  offices(): Promise<BorderOffice[]>;
  recordScreening(entry: ScreeningAuditEntry): Promise<void>;
  /** Audits several screenings with one commit, in order (a carrier's manifest): all or none. */
  recordScreenings(entries: ScreeningAuditEntry[]): Promise<void>;
  /** Every confirmed non-match the replica holds (few: screening picks those of the matched persons). */
  attestations(): Promise<BorderAttestation[]>;
  /** The audited screening with this id, or undefined. */
  screening(screeningId: string): Promise<ScreeningAuditEntry | undefined>;
  /**
   * Records the outcome of a screening: gives it the next number (1, 2, 3, … without a gap), lets
   * `seal` sign it, and stores it with its audit entry in one transaction. Throws OutcomeExists (changing
   * nothing) if the screening has one — also when two callers race: a unique key decides.
   */
  recordOutcome(screeningId: string, seal: SealOutcome): Promise<SignedOutcome>;
  /** The recorded outcome of a screening, or undefined. */
  outcomeOf(screeningId: string): Promise<SignedOutcome | undefined>;
  /** Outcomes numbered above `after`, in order, at most `limit` (the reverse channel's outbox). */
  outcomesAfter(after: number, limit: number): Promise<SignedOutcome[]>;
  /** How far the upstream acknowledged this replica's outcomes (0 before any). */
  outcomesAcknowledged(): Promise<number>;
  /** Moves the acknowledgement forward (never back). */
  acknowledgeOutcomes(n: number): Promise<void>;
  /** Most recent screenings, newest first; optionally only one checkpoint's: requester NAME@ADDRESS with NAME exactly `checkpoint` (audit/requester.ts). */
  screenings(limit: number, checkpoint?: string): Promise<ScreeningAuditEntry[]>;
  /**
   * The writer's sync status for the replica's other workers (syncView.ts), kept with the state: the
   * last one published wins; a bootstrap's new state starts without one until the writer publishes
   * again. Not audited: it is a status, not register data.
   */
  publishSyncView(view: SyncView): Promise<void>;
  /** The last view the writer published into the current state, or null. */
  syncView(): Promise<SyncView | null>;
  close(): Promise<void>;
}
