/**
 * The register's storage on embedded SQLite. See RegisterStore for the guarantees.
 *
 * This class is the facade of RegisterStore: it owns the one connection and serialises transactions
 * on it; each concern lives in register/: schema.ts (migrations, statements), writeTransaction.ts (the
 * RegisterTx and the signed batch sealed at commit), changeLog.ts (feed reads and compaction),
 * snapshot.ts, reads.ts and searchKeys.ts. The audit trail is store/sqlite/auditTrail.ts.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { AuditEntry } from '../../audit/chain.js';
import type { Signer } from '../../exchange/keys.js';
import type { SignedBatch, SnapshotLine } from '../../exchange/protocol.js';
import type { CompactionReport, ContestQuery, PersonVersion, RegisterStore, RegisterTx, Retention, ReviewCandidatesQuery } from '../../register/registerStore.js';
import { AuditTrail } from './auditTrail.js';
import { migrate, openDatabase } from '../../shared/sqlite.js';
import * as changeLog from './register/changeLog.js';
import * as outcomes from './register/outcomes.js';
import * as dueProcess from './register/dueProcess.js';
import * as reads from './register/reads.js';
import type { RegisterDb } from './register/registerDb.js';
import { SCHEMA, statements } from './register/schema.js';
import { fillSearchKeys } from './register/searchKeys.js';
import { snapshot } from './register/snapshot.js';
import { WriteTransaction } from './register/writeTransaction.js';
import { sqliteOutbox } from './register/outbox.js';
import type { NoticeOutbox } from '../../register/noticeOutbox.js';

export class SqliteRegisterStore implements RegisterStore {
  private readonly r: RegisterDb;
  private readonly events = new EventEmitter();
  /** Serialises transactions: better-sqlite3 has one connection, and an open transaction owns it. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Every mutation, hash-chained, committed in the same transaction as the mutation itself. */
  readonly trail: AuditTrail;
  readonly notices: NoticeOutbox;

  constructor(dataDir: string, signer: Signer) {
    const file = join(dataDir, 'register.db');
    const db = openDatabase(file, { synchronous: 'FULL' });
    migrate(db, SCHEMA, 'register');
    this.trail = new AuditTrail(db);
    this.events.setMaxListeners(0);
    this.r = { db, stmt: statements(db), file, signer };
    fillSearchKeys(this.r);
    this.notices = sqliteOutbox(this.r, (run) => this.serialised(run));
  }

  /** Runs `run` after every transaction queued before it, on the one connection. */
  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  transaction<T>(fn: (tx: RegisterTx) => Promise<T>): Promise<T> {
    return this.serialised(async () => {
      const db = this.r.db;
      const write = new WriteTransaction(this.r, this.trail);
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(write.tx);
        const batch = write.sealBatch();
        db.exec('COMMIT');
        if (batch) this.events.emit('commit', batch.lastSeq);
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        this.trail.invalidate();
        throw err;
      }
    });
  }

  async getPerson(personId: string) {
    return reads.readPerson(this.r, personId);
  }

  async getRestriction(restrictionId: string) {
    return reads.readRestriction(this.r, restrictionId);
  }

  async restrictionsOf(personId: string) {
    return reads.restrictionsOf(this.r, personId);
  }

  async personVersions(personId: string, limit: number): Promise<PersonVersion[]> {
    return reads.personVersions(this.r, personId, limit);
  }

  async searchPersons(keys: string[], limit: number) {
    return reads.searchPersons(this.r, keys, limit);
  }

  async getRule(ruleId: string) {
    return reads.readRule(this.r, ruleId);
  }

  async rules() {
    return reads.rules(this.r);
  }

  async getOffice(officeId: string) {
    return reads.readOffice(this.r, officeId);
  }

  async offices() {
    return reads.offices(this.r);
  }

  async auditAbout(subjects: string[], limit: number): Promise<AuditEntry[]> {
    return reads.auditAbout(this.r, subjects, limit);
  }

  async restrictionTallies() {
    return reads.restrictionTallies(this.r);
  }

  async ruleVersions(ruleId: string) {
    return reads.ruleVersions(this.r, ruleId);
  }

  async outcomesAcknowledged(replica: string) {
    return outcomes.outcomesAcknowledged(this.r.db, replica);
  }

  async outcomesOfPerson(personId: string, limit: number) {
    return outcomes.outcomesOfPerson(this.r.db, personId, limit);
  }

  async getAttestation(ref: string) {
    return outcomes.getAttestation(this.r.db, ref);
  }

  async headSeq() {
    return changeLog.headSeq(this.r);
  }

  async getContest(caseNumber: string) {
    return dueProcess.getContest(this.r, caseNumber);
  }

  async contests(query: ContestQuery) {
    return dueProcess.contests(this.r, query);
  }

  async contestCounts(now: string) {
    return dueProcess.contestCounts(this.r, now);
  }

  async contestTallies(now: string) {
    return dueProcess.contestTallies(this.r, now);
  }

  async attestationCount() {
    return outcomes.attestationCount(this.r.db);
  }

  async reviewsOf(restrictionId: string) {
    return dueProcess.reviewsOf(this.r, restrictionId);
  }

  async reviewCandidates(query: ReviewCandidatesQuery) {
    return dueProcess.reviewCandidates(this.r, query);
  }

  async batchesAfter(after: number, maxChanges: number, options: { reliefOnly?: boolean } = {}): Promise<SignedBatch[]> {
    return changeLog.batchesAfter(this.r, after, maxChanges, options);
  }

  async *snapshot(options: { buckets?: number[] } = {}): AsyncIterable<SnapshotLine> {
    yield* snapshot(this.r, options);
  }

  async oldestSeq(): Promise<number> {
    return changeLog.oldestSeq(this.r);
  }

  async compact(retention: Retention): Promise<CompactionReport> {
    return this.serialised(async () => changeLog.compact(this.r, retention));
  }

  onCommit(listener: (headSeq: number) => void) {
    this.events.on('commit', listener);
    return () => this.events.off('commit', listener);
  }

  async close() {
    await this.queue;
    this.r.db.close();
  }
}
