/**
 * What the register needs from its storage (the register's storage port). Implementations, one per
 * backend, split by concern: src/store/sqlite/registerStore.ts (default) and
 * src/store/postgres/registerStore.ts; both pass one contract suite (test/store/contract.test.ts).
 *
 * Guarantees an implementation must give:
 *  - Atomic: `transaction` commits every entity write, person version, rule version, audit entry and
 *    appended change made through its `tx` together, or none of them (a throw rolls all back, and the
 *    audit chain's head with it). `compact` removes its batches and their changes together.
 *  - Ordered: transactions are serialised (one writer at a time, in the order they were asked for).
 *    `appendChange` assigns the next dense sequence number (head + 1); a committed sequence number is
 *    never reused or renumbered. The changes of one transaction are sealed, at commit and in the same
 *    transaction, into one signed batch chained to the previous one (its prevHash is the previous
 *    batch's hash). `batchesAfter` returns whole batches in sequence order, never part of one.
 *  - Committed only: reads outside a transaction (`batchesAfter`, `snapshot`, `headSeq`, …) see
 *    committed data only; `onCommit` listeners are called after the commit, never for a rolled-back one.
 *  - Consistent: `snapshot` reflects exactly the changes up to its `asOfSeq`, even while writes go on.
 *  - Idempotent: reads and `compact` with the same retention may be repeated; `compact` never drops the
 *    newest batch, so the head never moves back. Nothing else is idempotent: a repeated transaction is
 *    a new mutation with new sequence numbers.
 *  - Append-only audit: entries are never updated or deleted (the databases refuse it).
 */
import type { Office } from '../domain/offices.js';
import type { CategoryRule } from '../domain/rules.js';
import type { Contest, ContestState } from '../domain/contest.js';
import type { RestrictionReview } from '../domain/review.js';
import type { Person, Restriction, RestrictionKind } from '../domain/types.js';
import type { AuditEntry, NewAuditEntry } from '../audit/chain.js';
import type { BorderAttestation, ChangeEntity, SignedBatch, SnapshotLine } from '../exchange/protocol.js';
import type { QueuedNotice } from '../domain/notice.js';
import type { NoticeOutbox } from './noticeOutbox.js';
import type { SignedOutcome } from '../exchange/outcome.js';

/** An outcome of a screening as the register keeps it (exchange/outcome.ts), by (replica, n). */
export interface ReceivedOutcome {
  signed: SignedOutcome;
  receivedAt: string;
  /** The listed persons it concerns (its hits and its attestation's), for the person's page. */
  personIds: string[];
}

/** A confirmed non-match as the register keeps it: the border view, where it came from, and its revocation. */
export interface RegisterAttestation {
  attestation: BorderAttestation;
  replica: string;
  screeningId: string;
  revokedAt?: string;
  revokedBy?: string;
}

export interface Retention {
  /** Keep the newest this many changes. */
  keepChanges?: number;
  /** Keep changes committed within this many seconds. */
  keepSeconds?: number;
}

export interface CompactionReport {
  removedBatches: number;
  removedChanges: number;
  oldestSeq: number;
}

/** A superseded state of a person (identity and deferments), kept when a write replaced it. */
export interface PersonVersion {
  /** 1 for the state as first stored, counting up; the current state is the next number. */
  version: number;
  /** When the write that replaced it committed, and who made it (the audit trail's actor). */
  supersededAt: string;
  supersededBy: string;
  person: Person;
}

/** Contests to list (register/contestService.ts), in filing order. */
export interface ContestTallies {
  opened: number;
  upheld: number;
  rejected: number;
  overdue: number;
}

export interface ContestQuery {
  office?: string;
  state?: ContestState;
  /** Only those whose deadline is at or before this instant (overdue when open). */
  deadlineBefore?: string;
  limit: number;
}

/**
 * Open restrictions that may be due for review (register/reviewService.ts refines them with the rules,
 * so a backend may return a few more, never fewer). "Started" is in_force_from, or issued_at unserved.
 */
export interface ReviewCandidatesQuery {
  /** A recorded review date at or before this instant. */
  reviewAtBefore: string;
  /** Per kind: no recorded review date, and started at or before this instant (the review interval). */
  unreviewedStartedBefore: Partial<Record<RestrictionKind, string>>;
  /** Per kind: started at or before this instant, whatever the review date (the maximum time in force). */
  startedBefore: Partial<Record<RestrictionKind, string>>;
  office?: string;
  /** Keyset paging: restriction ids after this one. */
  after?: string;
  limit: number;
}

/** How many restrictions of one kind and office came into force and were lifted (transparency statistics). */
export interface RestrictionTally {
  kind: string;
  office: string;
  /** Restrictions that came into force (served), whatever happened to them since. */
  imposed: number;
  lifted: number;
  /** Of the lifted, those lifted with reason `expiry`. */
  expired: number;
}

export interface RegisterTx {
  getPerson(personId: string): Promise<Person | undefined>;
  putPerson(person: Person): Promise<void>;
  /**
   * Keeps `previous` (the person as stored, about to be replaced) as their next superseded version and
   * returns its number. Called before `putPerson` by every write that changes a stored person.
   */
  keepPersonVersion(previous: Person, supersededAt: string, supersededBy: string): Promise<number>;
  /** Every restriction of a person, as this transaction sees them. */
  restrictionsOf(personId: string): Promise<Restriction[]>;
  getRestriction(restrictionId: string): Promise<Restriction | undefined>;
  putRestriction(restriction: Restriction): Promise<void>;
  /** Every restriction of a call-up campaign. */
  campaignRestrictions(campaign: string): Promise<Restriction[]>;
  getRule(ruleId: string): Promise<CategoryRule | undefined>;
  /** Stores a new version of a rule: it becomes the current one, and the old versions are kept. */
  putRule(rule: CategoryRule): Promise<void>;
  getOffice(officeId: string): Promise<Office | undefined>;
  /** Stores an office's record, replacing the one it had (the audit trail keeps what it replaced). */
  putOffice(office: Office): Promise<void>;
  /** The outcome numbered `n` by `replica`, or undefined. */
  getOutcome(replica: string, n: number): Promise<ReceivedOutcome | undefined>;
  /** The outcome `replica` sent about one of its screenings, or undefined. */
  outcomeOfScreening(replica: string, screeningId: string): Promise<ReceivedOutcome | undefined>;
  /** Stores a new outcome; (replica, n) and (replica, screeningId) are unique keys. */
  putOutcome(outcome: ReceivedOutcome): Promise<void>;
  getAttestation(ref: string): Promise<RegisterAttestation | undefined>;
  /** Stores an attestation, new or revoked. */
  putAttestation(attestation: RegisterAttestation): Promise<void>;
  /** Records the mutation in the hash-chained audit trail, in this same transaction. */
  audit(entry: NewAuditEntry): Promise<void>;
  /** Appends a change with the next sequence number and returns it. `body` null means "no longer at the border". */
  appendChange(entity: ChangeEntity, key: string, body: unknown): Promise<number>;
  // Due process (register/contestService.ts, register/reviewService.ts): register-only records.
  getContest(caseNumber: string): Promise<Contest | undefined>;
  /** Creates or replaces a contest (by case number). */
  putContest(contest: Contest): Promise<void>;
  /** Records a review (append-only). */
  addReview(review: RestrictionReview): Promise<void>;
  /** Puts a notice in the outbox (register/noticeOutbox.ts), in this same transaction. */
  queueNotice(notice: QueuedNotice): Promise<void>;
}

export interface RegisterStore {
  /** `fn` must do its I/O through `tx` only; it may throw to roll everything back. */
  transaction<T>(fn: (tx: RegisterTx) => Promise<T>): Promise<T>;
  getPerson(personId: string): Promise<Person | undefined>;
  getRestriction(restrictionId: string): Promise<Restriction | undefined>;
  restrictionsOf(personId: string): Promise<Restriction[]>;
  /** A person's superseded versions, newest first, at most `limit`. */
  personVersions(personId: string, limit: number): Promise<PersonVersion[]>;
  /** Persons holding any of the search keys (register/search.ts), at most `limit`, keys read in order. */
  searchPersons(keys: string[], limit: number): Promise<Person[]>;
  getRule(ruleId: string): Promise<CategoryRule | undefined>;
  /** The current version of every rule, revoked ones included. */
  rules(): Promise<CategoryRule[]>;
  /** Every version of a rule, oldest first. */
  ruleVersions(ruleId: string): Promise<CategoryRule[]>;
  getOffice(officeId: string): Promise<Office | undefined>;
  /** Every office's record, by office id. */
  offices(): Promise<Office[]>;
  /** Audit entries whose subject is one of `subjects`, newest first, at most `limit` (indexed by subject). */
  auditAbout(subjects: string[], limit: number): Promise<AuditEntry[]>;
  headSeq(): Promise<number>;
  /** How far the register holds `replica`'s outcomes without a gap (0 when it holds none, or not n = 1). */
  outcomesAcknowledged(replica: string): Promise<number>;
  /** The outcomes that concern a listed person, newest first, at most `limit`. */
  outcomesOfPerson(personId: string, limit: number): Promise<ReceivedOutcome[]>;
  getAttestation(ref: string): Promise<RegisterAttestation | undefined>;
  getContest(caseNumber: string): Promise<Contest | undefined>;
  contests(query: ContestQuery): Promise<Contest[]>;
  /** How many contests are open, and how many of those are past their deadline at `now`. */
  contestCounts(now: string): Promise<{ open: number; overdue: number }>;
  /** For the statistics: contests ever opened, answered upheld, answered rejected, and open past their deadline at `now`. */
  contestTallies(now: string): Promise<ContestTallies>;
  /** Confirmed non-matches in force (attestations not revoked). */
  attestationCount(): Promise<number>;
  /** A restriction's reviews, newest first. */
  reviewsOf(restrictionId: string): Promise<RestrictionReview[]>;
  reviewCandidates(query: ReviewCandidatesQuery): Promise<Restriction[]>;
  /** Whole committed batches with lastSeq > after, in order: at least one, then as many as fit in `maxChanges`. */
  batchesAfter(after: number, maxChanges: number, options?: { reliefOnly?: boolean }): Promise<SignedBatch[]>;
  /** A consistent snapshot of the border view, as a lazy stream of lines; optionally only some buckets. */
  snapshot(options?: { buckets?: number[] }): AsyncIterable<SnapshotLine>;
  /** Sequence number of the oldest change still in the log (head + 1 when it is empty). */
  oldestSeq(): Promise<number>;
  /**
   * Drops whole batches outside the retention: once a change is past either limit (count or age) it
   * may go. Never drops the newest batch. Replicas whose cursor falls before the oldest retained
   * change must re-bootstrap from a snapshot; the feed tells them so with 410 Gone.
   */
  compact(retention: Retention): Promise<CompactionReport>;
  /** Called after each commit that appended changes, with the new head. */
  onCommit(listener: (headSeq: number) => void): () => void;
  /** The notification outbox the delivery loop reads and marks (register/noticeOutbox.ts). */
  readonly notices: NoticeOutbox;
  /** Restrictions imposed and lifted, counted by kind and office (register/statistics.ts). */
  restrictionTallies(): Promise<RestrictionTally[]>;
  close(): Promise<void>;
}
