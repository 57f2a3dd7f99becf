/**
 * Reading a SQLite audit chain (the register's `register.db`, a replica's `audit.db`) through a
 * connection of its own, for the head signer and `erx audit verify`: the SQLite register holds its
 * single connection in a transaction across awaits, and reading the head through it could see, and
 * sign, an entry that is then rolled back. Another connection sees committed entries only.
 */
import type { AuditChain } from '../../audit/chainStorage.js';
import { AuditChainMissing } from '../../audit/chainStorage.js';
import { auditEntryOf, type AuditRow } from '../auditRow.js';
import { openDatabase, type Db } from '../../shared/sqlite.js';

/** `syncBeforeSigning`: the file's commits are not synced one by one (a replica's audit.db). */
export function sqliteAuditChain(file: string, syncBeforeSigning: boolean): AuditChain {
  const db: Db = openDatabase(file, { synchronous: 'FULL' });
  const hasTable = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_trail'").get() !== undefined;
  if (!hasTable) {
    db.close();
    throw new AuditChainMissing(`${file} holds no audit trail`);
  }
  const last = db.prepare<[], Pick<AuditRow, 'seq' | 'hash'>>('SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1');
  const at = db.prepare<[number], Pick<AuditRow, 'hash'>>('SELECT hash FROM audit_trail WHERE seq = ?');
  return {
    label: file,
    async head() {
      const row = last.get();
      // A FULL checkpoint syncs the WAL (everything up to the row just read) before the head is signed.
      if (syncBeforeSigning && row) db.pragma('wal_checkpoint(FULL)');
      return { seq: row?.seq ?? 0, hash: row?.hash ?? '' };
    },
    async hashAt(seq) {
      return at.get(seq)?.hash ?? null;
    },
    async *entries() {
      for (const r of db.prepare<[], AuditRow>('SELECT * FROM audit_trail ORDER BY seq').iterate()) yield auditEntryOf(r);
    },
    async *between(from, to) {
      for (const r of db.prepare<[string, string], AuditRow>('SELECT * FROM audit_trail WHERE at >= ? AND at < ? ORDER BY seq').iterate(from, to)) yield auditEntryOf(r);
    },
    async close() {
      db.close();
    },
  };
}
