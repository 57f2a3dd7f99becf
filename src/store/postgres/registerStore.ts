/**
 * The register's storage on PostgreSQL. See RegisterStore for the guarantees; how each is kept here:
 *
 *  - Dense sequence numbers. The head of the log is one row (`head`: last seq and last batch hash),
 *    locked with SELECT … FOR UPDATE as the first statement of every write transaction. Seqs are
 *    assigned from it and it is moved in the same transaction, so a rollback gives its numbers back
 *    (a PostgreSQL SEQUENCE would not: it leaves holes a replica would take for a lost change).
 *  - Serialised writers. The same row lock makes writers take turns across processes; in-process they
 *    also queue, so waiting writers do not hold pool connections. After the lock is granted every
 *    statement (READ COMMITTED) sees all earlier commits, so a write decides on current data.
 *  - One signed batch per transaction, sealed before COMMIT in the same transaction and chained to the
 *    hash kept in `head`. The hash is computed from the in-memory changes with the same pure functions
 *    as SQLite (exchange/protocol.ts), so both backends hash the same changes to the same bytes.
 *  - Durability: write transactions run with `synchronous_commit = on` whatever the server default, so
 *    a change is on disk before anyone can see it (its seq could otherwise come back with another body).
 *  - Consistent snapshot: one REPEATABLE READ, READ ONLY transaction on its own connection, streamed
 *    through server-side cursors; `asOfSeq` is read from `head` by its first statement. Because the next
 *    writer can only lock `head` after the previous one is visible, every snapshot holds exactly a
 *    prefix of the log.
 *  - `onCommit` fires in-process after each commit; other processes' commits arrive by LISTEN/NOTIFY
 *    (a NOTIFY is sent inside each sealing transaction, so it is delivered only if it commits).
 *
 * This class is the facade of RegisterStore: it opens the pool, migrates, queues this process's
 * writers and waits for the schema before every operation; each concern lives in register/: schema.ts
 * (migrations), registerDb.ts (the pool, schema name, channel, signer and trail they all work through),
 * writeTransaction.ts (the RegisterTx and the signed batch sealed at commit), changeLog.ts (feed reads
 * and compaction), snapshot.ts, reads.ts, searchKeys.ts and commitNotifications.ts (onCommit, LISTEN).
 * The audit trail is store/postgres/auditTrail.ts.
 */
import type { Office } from '../../domain/offices.js';
import type { CategoryRule } from '../../domain/rules.js';
import type { Person, Restriction } from '../../domain/types.js';
import type { Signer } from '../../exchange/keys.js';
import type { SignedBatch, SnapshotLine } from '../../exchange/protocol.js';
import type { CompactionReport, ContestQuery, PersonVersion, RegisterStore, RegisterTx, Retention, ReviewCandidatesQuery } from '../../register/registerStore.js';
import type { AuditEntry } from '../../audit/chain.js';
import { PostgresAuditTrail } from './auditTrail.js';
import * as outcomes from './register/outcomes.js';
import { checkSchemaName, createPool, migrate, type PostgresLocation } from './db.js';
import * as changeLog from './register/changeLog.js';
import * as dueProcess from './register/dueProcess.js';
import { CommitNotifications } from './register/commitNotifications.js';
import * as reads from './register/reads.js';
import type { RegisterDb } from './register/registerDb.js';
import { SCHEMA } from './register/schema.js';
import { fillSearchKeys } from './register/searchKeys.js';
import { snapshot } from './register/snapshot.js';
import { runWriteTransaction } from './register/writeTransaction.js';
import { postgresOutbox } from './register/outbox.js';
import type { NoticeOutbox } from '../../register/noticeOutbox.js';

export interface PostgresRegisterOptions extends PostgresLocation {
  /**
   * Listen for commits by other processes on the same schema (LISTEN/NOTIFY), so their changes wake
   * this process's long-polls too. Default true; the listening connection opens with the first
   * `onCommit` listener.
   */
  listen?: boolean;
}

export class PostgresRegisterStore implements RegisterStore {
  /** Resolves once the schema is migrated; every operation waits for it (and fails with its error). */
  readonly ready: Promise<void>;
  /** Every mutation, hash-chained, committed in the same transaction as the mutation itself. */
  readonly trail: PostgresAuditTrail;
  readonly notices: NoticeOutbox;
  private readonly r: RegisterDb;
  private readonly commits: CommitNotifications;
  /** Serialises this process's writers (the `head` row lock serialises them across processes). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: PostgresRegisterOptions, signer: Signer) {
    const s = checkSchemaName(options.schema);
    const channel = `erx_commit_${options.schema}`;
    const fetchRows = options.fetchRows ?? 1000;
    const pool = createPool(options, 'erx-register');
    this.trail = new PostgresAuditTrail(pool, s, fetchRows);
    const r: RegisterDb = { pool, s, channel, fetchRows, signer, trail: this.trail };
    this.r = r;
    this.ready = migrate(pool, options.schema, 'register', SCHEMA).then(() => fillSearchKeys(r));
    // Callers see the error through the operation they try; an unused store must not crash the process.
    this.ready.catch(() => undefined);
    this.notices = postgresOutbox(r, this.ready);
    this.commits = new CommitNotifications(options, channel, options.listen !== false, this.ready, () => this.headSeq());
  }

  /** Connects and migrates; throws if the database cannot be reached or its schema is newer than this erx. */
  static async open(options: PostgresRegisterOptions, signer: Signer): Promise<PostgresRegisterStore> {
    const store = new PostgresRegisterStore(options, signer);
    try {
      await store.ready;
    } catch (err) {
      await store.r.pool.end().catch(() => undefined);
      throw err;
    }
    return store;
  }

  /** Runs `run` after this process's earlier writers, whatever their outcome. */
  private serialised<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  transaction<T>(fn: (tx: RegisterTx) => Promise<T>): Promise<T> {
    return this.serialised(async () => {
      await this.ready;
      return runWriteTransaction(this.r, fn, (head) => this.commits.announce(head));
    });
  }

  async getPerson(personId: string): Promise<Person | undefined> {
    await this.ready;
    return reads.readPerson(this.r, personId);
  }

  async getRestriction(restrictionId: string): Promise<Restriction | undefined> {
    await this.ready;
    return reads.readRestriction(this.r, restrictionId);
  }

  async searchPersons(keys: string[], limit: number): Promise<Person[]> {
    await this.ready;
    return reads.searchPersons(this.r, keys, limit);
  }

  async getRule(ruleId: string): Promise<CategoryRule | undefined> {
    await this.ready;
    return reads.readRule(this.r, ruleId);
  }

  async rules(): Promise<CategoryRule[]> {
    await this.ready;
    return reads.rules(this.r);
  }

  async getOffice(officeId: string): Promise<Office | undefined> {
    await this.ready;
    return reads.readOffice(this.r, officeId);
  }

  async offices(): Promise<Office[]> {
    await this.ready;
    return reads.offices(this.r);
  }

  async auditAbout(subjects: string[], limit: number): Promise<AuditEntry[]> {
    await this.ready;
    return reads.auditAbout(this.r, subjects, limit);
  }

  async restrictionTallies() {
    await this.ready;
    return reads.restrictionTallies(this.r);
  }

  async ruleVersions(ruleId: string): Promise<CategoryRule[]> {
    await this.ready;
    return reads.ruleVersions(this.r, ruleId);
  }

  async personVersions(personId: string, limit: number): Promise<PersonVersion[]> {
    await this.ready;
    return reads.personVersions(this.r, personId, limit);
  }

  async restrictionsOf(personId: string): Promise<Restriction[]> {
    await this.ready;
    return reads.restrictionsOf(this.r, personId);
  }

  async outcomesAcknowledged(replica: string): Promise<number> {
    await this.ready;
    return outcomes.outcomesAcknowledged(this.r.pool, this.r.s, replica);
  }

  async outcomesOfPerson(personId: string, limit: number) {
    await this.ready;
    return outcomes.outcomesOfPerson(this.r.pool, this.r.s, personId, limit);
  }

  async getAttestation(ref: string) {
    await this.ready;
    return outcomes.getAttestation(this.r.pool, this.r.s, ref);
  }

  async headSeq(): Promise<number> {
    await this.ready;
    return changeLog.headSeq(this.r);
  }

  async getContest(caseNumber: string) {
    await this.ready;
    return dueProcess.getContest(this.r, caseNumber);
  }

  async contests(query: ContestQuery) {
    await this.ready;
    return dueProcess.contests(this.r, query);
  }

  async contestCounts(now: string) {
    await this.ready;
    return dueProcess.contestCounts(this.r, now);
  }

  async contestTallies(now: string) {
    await this.ready;
    return dueProcess.contestTallies(this.r, now);
  }

  async attestationCount() {
    await this.ready;
    return outcomes.attestationCount(this.r.pool, this.r.s);
  }

  async reviewsOf(restrictionId: string) {
    await this.ready;
    return dueProcess.reviewsOf(this.r, restrictionId);
  }

  async reviewCandidates(query: ReviewCandidatesQuery) {
    await this.ready;
    return dueProcess.reviewCandidates(this.r, query);
  }

  async batchesAfter(after: number, maxChanges: number): Promise<SignedBatch[]> {
    await this.ready;
    return changeLog.batchesAfter(this.r, after, maxChanges);
  }

  async *snapshot(options: { buckets?: number[] } = {}): AsyncIterable<SnapshotLine> {
    await this.ready;
    yield* snapshot(this.r, options);
  }

  async oldestSeq(): Promise<number> {
    await this.ready;
    return changeLog.oldestSeq(this.r);
  }

  async compact(retention: Retention): Promise<CompactionReport> {
    return this.serialised(async () => {
      await this.ready;
      return changeLog.compact(this.r, retention);
    });
  }

  onCommit(listener: (headSeq: number) => void): () => void {
    return this.commits.subscribe(listener);
  }

  async close(): Promise<void> {
    await this.commits.close(async () => {
      await this.ready.catch(() => undefined);
      await this.queue;
    });
    await this.r.pool.end();
  }
}
