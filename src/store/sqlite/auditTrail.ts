/**
 * The hash-chained audit trail (audit/chain.ts) in a SQLite table: the register's in register.db,
 * written inside its write transactions; a replica's in audit.db. Triggers refuse UPDATE and DELETE,
 * so an accident cannot do what only a forger would.
 */
import { type AuditEntry, type ChainHead, EMPTY_CHAIN, entryAfter, type NewAuditEntry, type PreparedEntry, prepareEntry, verifyChain, type VerifyResult } from '../../audit/chain.js';
import type { AuditTrailStorage } from '../../audit/chainStorage.js';
import { auditEntryOf, type AuditRow } from '../auditRow.js';
import type { Db } from '../../shared/sqlite.js';
import { writeUnderLock } from '../../shared/sqliteWriteLock.js';

/** The trail's table: a migration step of every SQLite database that holds a trail. */
export const AUDIT_TABLE = `
  CREATE TABLE IF NOT EXISTS audit_trail (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_by_action_time ON audit_trail(action, at);
  CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_trail BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
  CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_trail BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;`;

export class AuditTrail implements AuditTrailStorage {
  private readonly last;
  private readonly insert;

  /**
   * Appends go through `db`; call `append` inside the caller's transaction to commit with it.
   * `sharedByProcesses` (a replica's audit.db, which every worker appends to): each append is its own
   * IMMEDIATE transaction that reads the head under SQLite's write lock, so the workers' entries form
   * one chain in commit order; no head is kept in memory, since another process may have moved it.
   */
  constructor(
    private readonly db: Db,
    private readonly options: { sharedByProcesses?: boolean } = {},
  ) {
    db.exec(AUDIT_TABLE);
    this.last = db.prepare<[], AuditRow>('SELECT * FROM audit_trail ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit_trail VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  }

  /** The chain's head, cached: appends are serialised through this object. */
  private head: ChainHead | null = null;

  /** Must be called when a transaction that appended is rolled back: the cached head is then wrong. */
  invalidate(): void {
    this.head = null;
  }

  append(e: NewAuditEntry): AuditEntry {
    if (this.options.sharedByProcesses) return this.appendAll([e])[0]!;
    const entry = this.insertAfter(this.head ?? this.last.get() ?? EMPTY_CHAIN, prepareEntry(e));
    this.head = { seq: entry.seq, hash: entry.hash };
    return entry;
  }

  /**
   * Appends several entries with one commit, in order: a carrier's manifest audits its hundreds of
   * screenings together (one commit instead of one per traveller, which was a third of a manifest's
   * time). Shared by processes, the entries go in one IMMEDIATE transaction that reads the head under
   * the write lock, so they stay consecutive.
   */
  appendAll(es: NewAuditEntry[]): AuditEntry[] {
    if (!this.options.sharedByProcesses) return es.map((e) => this.append(e));
    // Prepared before the lock: under it, only each entry's hash and its insert (audit/chain.ts prepareEntry).
    return this.writeShared(es.map(prepareEntry));
  }

  private writeShared(prepared: PreparedEntry[]): AuditEntry[] {
    return writeUnderLock(this.db, () => {
      let head: ChainHead = this.last.get() ?? EMPTY_CHAIN;
      return prepared.map((p) => (head = this.insertAfter(head, p)));
    });
  }

  private queued: { prepared: PreparedEntry; resolve: (e: AuditEntry) => void; reject: (err: unknown) => void }[] = [];
  private flushScheduled = false;

  /**
   * Appends together with the other appends of this turn of the event loop (a trail shared by
   * processes: a replica's screenings): all of them in one IMMEDIATE transaction, written once the turn
   * ends; each resolves when that transaction has committed, so a screening is still answered only
   * after its entry is durable (S4), and the entries keep the order of the calls.
   *
   * Why: one transaction per screening cost more than the rest of a screening — the write lock taken
   * and given back, the commit's WAL write, and every few hundred commits a checkpoint's fsync: about
   * 0.15 ms of a 0.6 ms screening under ten connections — and with several workers each screening
   * queued for audit.db's lock. Screenings arriving together (the connections a busy checkpoint keeps
   * open) now share one.
   */
  appendTogether(e: NewAuditEntry): Promise<AuditEntry> {
    if (!this.options.sharedByProcesses) return Promise.resolve(this.append(e));
    return new Promise((resolve, reject) => {
      this.queued.push({ prepared: prepareEntry(e), resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flushQueued());
      }
    });
  }

  /** Writes what appendTogether queued, now (at the end of the turn, and before the database closes). */
  flushQueued(): void {
    this.flushScheduled = false;
    const group = this.queued.splice(0);
    if (group.length === 0) return;
    try {
      const written = this.writeShared(group.map((g) => g.prepared));
      group.forEach((g, i) => g.resolve(written[i]!));
    } catch (err) {
      for (const g of group) g.reject(err);
    }
  }

  /** Writes the entry that follows `head`. */
  private insertAfter(head: ChainHead, p: PreparedEntry): AuditEntry {
    const entry = entryAfter(head, p);
    this.insert.run(entry.seq, entry.at, entry.actor, entry.action, entry.subject, p.detailJson, entry.prevHash, entry.hash);
    return entry;
  }

  /** The newest entries of one action, newest first; optionally only those of one requester name (audit/requester.ts). */
  recent(action: string, limit: number, requesterName?: string): AuditEntry[] {
    // Exact and case-sensitive: the actor is NAME@ADDRESS, and no `@` follows the name's own.
    const rows = requesterName !== undefined
      ? this.db
          .prepare<[{ action: string; name: string; limit: number }], AuditRow>("SELECT * FROM audit_trail WHERE action = @action AND substr(actor, 1, length(@name)) = @name AND instr(substr(actor, length(@name) + 1), '@') = 0 ORDER BY seq DESC LIMIT @limit")
          .all({ action, name: `${requesterName}@`, limit })
      : this.db.prepare<[string, number], AuditRow>('SELECT * FROM audit_trail WHERE action = ? ORDER BY seq DESC LIMIT ?').all(action, limit);
    return rows.map(auditEntryOf);
  }

  /** The entry of one action about one subject (the newest, if several), or undefined. */
  about(action: string, subject: string): AuditEntry | undefined {
    const row = this.db.prepare<[string, string], AuditRow>('SELECT * FROM audit_trail WHERE subject = ? AND action = ? ORDER BY seq DESC LIMIT 1').get(subject, action);
    return row ? auditEntryOf(row) : undefined;
  }

  *between(from: string, to: string): Generator<AuditEntry> {
    for (const r of this.db.prepare<[string, string], AuditRow>('SELECT * FROM audit_trail WHERE at >= ? AND at < ? ORDER BY seq').iterate(from, to)) yield auditEntryOf(r);
  }

  verify(): VerifyResult {
    return verifyChain(this.entries());
  }

  private *entries(): Generator<AuditEntry> {
    for (const r of this.db.prepare<[], AuditRow>('SELECT * FROM audit_trail ORDER BY seq').iterate()) yield auditEntryOf(r);
  }
}
