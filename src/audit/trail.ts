/**
 * The audit trail: an append-only, hash-chained log of every mutation (register) and every screening
 * (border). Each entry holds the hash of the previous one, so editing, inserting or deleting any entry
 * breaks the chain from that point; `verify` walks it and names the first entry that does not hold.
 * Triggers refuse UPDATE and DELETE as well, so an accident cannot do what only a forger would.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../shared/sqlite.js';
import { canonicalJson } from '../shared/canonical.js';

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

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: unknown;
  prevHash: string;
  hash: string;
}

/** The end of a chain: its last entry's number and hash ({seq: 0, hash: ''} for an empty chain). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export type NewAuditEntry = Pick<AuditEntry, 'actor' | 'action' | 'subject' | 'detail'> & { at?: string };

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  const { seq, at, actor, action, subject, detail, prevHash } = e;
  return createHash('sha256').update(canonicalJson({ seq, at, actor, action, subject, detail, prevHash })).digest('hex');
}

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export const auditEntryOf = (r: AuditRow): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  detail: JSON.parse(r.detail),
  prevHash: r.prev_hash,
  hash: r.hash,
});

export interface VerifyResult {
  ok: boolean;
  entries: number;
  /** The first entry that does not hold, and why. */
  firstBad?: { seq: number; reason: string };
}

/**
 * Walks a chain in sequence order, one entry at a time (pure: both the SQLite and the PostgreSQL trail
 * feed it their rows). `check` returns the first problem, or null while the chain holds.
 */
export class ChainCheck {
  private expectedSeq = 1;
  private prevHash = '';
  entries = 0;

  check(e: AuditEntry): { seq: number; reason: string } | null {
    this.entries++;
    if (e.seq !== this.expectedSeq) {
      return { seq: e.seq, reason: e.seq > this.expectedSeq ? `entries ${this.expectedSeq}–${e.seq - 1} are missing (deleted)` : 'sequence number repeats (inserted)' };
    }
    if (e.prevHash !== this.prevHash) return { seq: e.seq, reason: 'does not name the previous entry’s hash (an entry was inserted, removed or edited before it)' };
    if (entryHash(e) !== e.hash) return { seq: e.seq, reason: 'content does not match its hash (edited)' };
    this.prevHash = e.hash;
    this.expectedSeq++;
    return null;
  }
}

export class AuditTrail {
  private readonly last;
  private readonly insert;

  /** Appends go through `db`; call `append` inside the caller's transaction to commit with it. */
  constructor(private readonly db: Db) {
    db.exec(AUDIT_TABLE);
    this.last = db.prepare<[], AuditRow>('SELECT * FROM audit_trail ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare('INSERT INTO audit_trail VALUES (@seq, @at, @actor, @action, @subject, @detail, @prev_hash, @hash)');
  }

  /** The chain's head, cached: appends are serialised through this object. */
  private head: { seq: number; hash: string } | null = null;

  /** Must be called when a transaction that appended is rolled back: the cached head is then wrong. */
  invalidate(): void {
    this.head = null;
  }

  append(e: NewAuditEntry): AuditEntry {
    const prev = this.head ?? this.last.get() ?? null;
    const entry = {
      seq: (prev?.seq ?? 0) + 1,
      at: e.at ?? new Date().toISOString(),
      actor: e.actor,
      action: e.action,
      subject: e.subject,
      detail: JSON.parse(JSON.stringify(e.detail ?? null)) as unknown,
      prevHash: prev?.hash ?? '',
    };
    const hash = entryHash(entry);
    this.insert.run({ ...entry, detail: JSON.stringify(entry.detail), prev_hash: entry.prevHash, hash });
    this.head = { seq: entry.seq, hash };
    return { ...entry, hash };
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

  *between(from: string, to: string): Generator<AuditEntry> {
    for (const r of this.db.prepare<[string, string], AuditRow>('SELECT * FROM audit_trail WHERE at >= ? AND at < ? ORDER BY seq').iterate(from, to)) yield auditEntryOf(r);
  }

  verify(): VerifyResult {
    const chain = new ChainCheck();
    for (const r of this.db.prepare<[], AuditRow>('SELECT * FROM audit_trail ORDER BY seq').iterate()) {
      const firstBad = chain.check(auditEntryOf(r));
      if (firstBad) return { ok: false, entries: chain.entries, firstBad };
    }
    return { ok: true, entries: chain.entries };
  }

}
