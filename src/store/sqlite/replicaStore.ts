/**
 * A border replica's storage on embedded SQLite: `state.db` holds the replicated border view and the
 * cursor, `audit.db` the append-only screening audit. A bootstrap builds a fresh `state.next.db` and
 * renames it over `state.db` only when complete, so a crash mid-bootstrap leaves the old state (or
 * none) untouched, and screening goes on from the old state while a new one is built.
 *
 * This class is the facade of ReplicaStore; each concern lives in replica/: schema.ts (tables,
 * migrations, statements), stateFile.ts (the file's lifecycle and its write transaction),
 * bootstrap.ts, apply.ts, repair.ts, reads.ts, and rowWrites.ts (the rows they all write).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BatchToApply } from '../../exchange/planPage.js';
import type { BootstrapWriter, RepairReport, ReplicaState, ReplicaStore, ScreeningAuditEntry, SealOutcome } from '../../border/replicaStore.js';
import type { SignedOutcome } from '../../exchange/outcome.js';
import type { BucketDigests } from '../../exchange/digest.js';
import type { ImageFormat, ImageManifest } from '../../exchange/image.js';
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule, SnapshotRecord } from '../../exchange/protocol.js';
import type { ListedPerson } from '../../matching/index.js';
import { screeningAuditEntry, screeningOf, SCREENING_ACTION } from '../screeningAudit.js';
import type { SyncView } from '../../border/syncView.js';
import { SYNC_VIEW_KEY } from '../rows.js';
import { deepFreeze } from '../../shared/deepFreeze.js';
import { AuditTrail } from './auditTrail.js';
import { type Db, migrate, openDatabase } from '../../shared/sqlite.js';
import { quickCheck } from './quickCheck.js';
import * as apply from './replica/apply.js';
import * as bootstrap from './replica/bootstrap.js';
import * as reads from './replica/reads.js';
import * as repair from './replica/repair.js';
import { SqliteOutcomes } from './replica/outcomes.js';
import { AUDIT_SCHEMA } from './replica/schema.js';
import { ReplicaStateFile, type ReplicaStoreOptions } from './replica/stateFile.js';
import { type DigestInWorker, digestInWorker } from './stateDigest.js';

export { stateCacheKiB } from './replica/schema.js';
export type { ReplicaStoreOptions } from './replica/stateFile.js';

export class SqliteReplicaStore implements ReplicaStore {
  private readonly file: ReplicaStateFile;
  private readonly audit: Db;
  /** The screening audit: append-only and hash-chained (audit/chain.ts). */
  readonly trail: AuditTrail;
  private readonly outcomes: SqliteOutcomes;

  constructor(options: ReplicaStoreOptions) {
    this.file = new ReplicaStateFile(options, repair.reindexIfMatcherChanged);
    // WAL with synchronous=NORMAL: an entry committed before a screening is answered survives a killed
    // process; a power cut may lose the last moments of entries (FULL would cost an fsync per
    // screening, which capped a replica at a few hundred screenings a second).
    this.audit = openDatabase(join(options.dataDir, 'audit.db'), { synchronous: 'NORMAL' });
    migrate(this.audit, AUDIT_SCHEMA, 'audit');
    this.trail = new AuditTrail(this.audit, { sharedByProcesses: true });
    this.outcomes = new SqliteOutcomes(this.audit, this.trail);
  }

  /** The state file could not be opened for damage and was set aside (see setAsideDamaged). */
  get damagedAtOpen(): { reason: string; keptAs: string } | null {
    return this.file.damagedAtOpen;
  }

  async state(): Promise<ReplicaState> {
    return { ...(await this.file.cache.read('state', () => reads.readState(this.file))) };
  }

  async beginBootstrap(): Promise<BootstrapWriter> {
    return bootstrap.beginBootstrap(this.file);
  }

  imageFormat(): ImageFormat {
    return bootstrap.imageFormat(this.file);
  }

  async installImage(manifest: ImageManifest, chunks: AsyncIterable<Uint8Array>, onProgress?: (bytes: number) => void): Promise<void> {
    return bootstrap.installImage(this.file, manifest, chunks, onProgress);
  }

  /** `PRAGMA quick_check` of the state file in a worker thread (quickCheck.ts): screenings go on meanwhile. */
  async checkIntegrity(): Promise<{ problems: string[]; seconds: number }> {
    return quickCheck(this.file.statePath);
  }

  async setAsideDamaged(): Promise<string> {
    return this.file.setAsideDamaged();
  }

  async applyRelief(expectedCursor: number, batches: BatchToApply[]): Promise<number> {
    return apply.applyRelief(this.file, expectedCursor, batches);
  }

  async applyBatches(expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): Promise<void> {
    apply.applyBatches(this.file, expectedCursor, batches, registerSeq, registerTime);
  }

  async knownBatchHashes(lastSeqs: number[]): Promise<Map<number, string>> {
    return apply.knownBatchHashes(this.file, lastSeqs);
  }

  async noteContact(registerSeq: number, registerTime: string, caughtUp: boolean): Promise<void> {
    apply.noteContact(this.file, registerSeq, registerTime, caughtUp);
  }

  async digest(): Promise<BucketDigests> {
    return repair.digest(this.file);
  }

  /** digest(), in a worker thread on a read snapshot of its own (stateDigest.ts): screenings and the follower go on meanwhile. */
  digestOffThread(): DigestInWorker {
    return digestInWorker(this.file.statePath);
  }

  async repairBuckets(expectedCursor: number, buckets: number[], records: SnapshotRecord[]): Promise<RepairReport> {
    return repair.repairBuckets(this.file, expectedCursor, buckets, records);
  }

  /** One read transaction for `reads` (shared/sqliteReadTogether.ts): a screening's statements cost one lock, not one each. */
  readTogether<T>(reads: () => Promise<T>): Promise<T> {
    return this.file.together.run(reads);
  }

  async byDocument(number: string, country?: string): Promise<ListedPerson[]> {
    return reads.byDocument(this.file, number, country);
  }

  async byNameKeys(keys: string[], limit: number): Promise<ListedPerson[]> {
    return reads.byNameKeys(this.file, keys, limit);
  }

  async restrictionsOf(personIds: string[]): Promise<BorderRestriction[]> {
    return reads.restrictionsOf(this.file, personIds);
  }

  async getPerson(personId: string): Promise<BorderPerson | undefined> {
    return reads.getPerson(this.file, personId);
  }

  async rules(): Promise<BorderRule[]> {
    return [...(await this.file.cache.read('rules', () => reads.readRules(this.file)))];
  }

  async offices(): Promise<BorderOffice[]> {
    return [...(await this.file.cache.read('offices', () => reads.readOffices(this.file)))];
  }

  async recordScreening(entry: ScreeningAuditEntry): Promise<void> {
    // With the screenings answered in the same turn of the event loop: one commit for all (AuditTrail.appendTogether).
    await this.trail.appendTogether(screeningAuditEntry(entry));
  }

  async recordScreenings(entries: ScreeningAuditEntry[]): Promise<void> {
    if (entries.length > 0) this.trail.appendAll(entries.map(screeningAuditEntry));
  }

  async attestations(): Promise<BorderAttestation[]> {
    return [...(await this.file.cache.read('attestations', () => reads.readAttestations(this.file)))];
  }

  async screening(screeningId: string): Promise<ScreeningAuditEntry | undefined> {
    const entry = this.trail.about(SCREENING_ACTION, screeningId);
    return entry ? screeningOf(entry) : undefined;
  }

  async recordOutcome(screeningId: string, seal: SealOutcome): Promise<SignedOutcome> {
    return this.outcomes.record(screeningId, seal);
  }

  async outcomeOf(screeningId: string): Promise<SignedOutcome | undefined> {
    return this.outcomes.outcomeOf(screeningId);
  }

  async outcomesAfter(after: number, limit: number): Promise<SignedOutcome[]> {
    return this.outcomes.after(after, limit);
  }

  async outcomesAcknowledged(): Promise<number> {
    return this.outcomes.acknowledged();
  }

  async acknowledgeOutcomes(n: number): Promise<void> {
    this.outcomes.acknowledge(n);
  }

  async screenings(limit: number, checkpoint?: string): Promise<ScreeningAuditEntry[]> {
    return this.trail.recent(SCREENING_ACTION, limit, checkpoint).map(screeningOf);
  }

  async publishSyncView(view: SyncView): Promise<void> {
    this.file.write(() => this.file.stmt.setMeta.run(SYNC_VIEW_KEY, JSON.stringify(view)));
  }

  /** Kept parsed between writes (a reader asks on every screening of a manifest's hundreds); frozen, as every caller shares it. */
  async syncView(): Promise<SyncView | null> {
    return this.file.cache.read(SYNC_VIEW_KEY, () => {
      const json = this.file.meta(SYNC_VIEW_KEY);
      return json === undefined ? null : deepFreeze(JSON.parse(json) as SyncView);
    });
  }

  async close(): Promise<void> {
    this.trail.flushQueued();
    this.file.db.close();
    this.audit.close();
  }

  /** For tests and repair tools: whether a state file exists at all. */
  static hasState(dataDir: string): boolean {
    return existsSync(join(dataDir, 'state.db'));
  }
}
