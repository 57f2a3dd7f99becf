/**
 * Reading a service's audit chain wherever it lives — SQLite in its data directory (the register's
 * `register.db`, a replica's `audit.db`) or a PostgreSQL schema — through a connection of its own, for
 * the head signer (audit/headSigner.ts) and for `erx audit verify`.
 *
 * A connection of its own, because the SQLite register holds its single connection in a transaction
 * across awaits: reading the head through it could see, and sign, an entry that is then rolled back.
 * Another connection sees committed entries only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../shared/sqlite.js';
import { checkSchemaName, createPool, postgresLocation } from '../store/postgres/db.js';
import { PostgresAuditTrail } from '../store/postgres/auditTrail.js';
import type { AuditChain, AuditService } from '../audit/auditChain.js';
import { auditEntryOf, type AuditEntry, type AuditRow, type ChainHead } from '../audit/trail.js';

export interface ChainLocation {
  dataDir: string;
  /** A postgres:// URL when the service keeps its database in PostgreSQL. */
  store?: string | undefined;
  service: AuditService;
}

/** The SQLite file holding a service's trail. */
export function sqliteTrailFile(dataDir: string, service: AuditService): string {
  return join(dataDir, service === 'register' ? 'register.db' : 'audit.db');
}

/** The PostgreSQL schema a service uses by default (as in store/postgres/index.ts). */
const DEFAULT_SCHEMA: Record<AuditService, string> = { register: 'erx_register', border: 'erx_border' };

export class AuditChainMissing extends Error {}

export function openAuditChain(where: ChainLocation): AuditChain {
  if (where.store !== undefined && /^postgres(ql)?:\/\//i.test(where.store)) return postgresChain(where.store, where.service);
  const file = sqliteTrailFile(where.dataDir, where.service);
  if (!existsSync(file)) throw new AuditChainMissing(`${where.dataDir} holds no ${where.service === 'register' ? 'register database (register.db)' : 'replica audit (audit.db)'}`);
  return sqliteChain(file, where.service === 'border');
}

function sqliteChain(file: string, syncBeforeSigning: boolean): AuditChain {
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

function postgresChain(url: string, service: AuditService): AuditChain {
  const location = postgresLocation(url, DEFAULT_SCHEMA[service]);
  const pool = createPool({ ...location, maxConnections: 2 }, 'erx-audit');
  const trail = new PostgresAuditTrail(pool, checkSchemaName(location.schema));
  const label = `PostgreSQL schema ${location.schema}`;
  /** A missing table is the usual mistake (wrong schema or service): say so in words. */
  const explain = (err: unknown): never => {
    if ((err as { code?: string }).code === '42P01') throw new AuditChainMissing(`${label} holds no audit trail (wrong --store schema, or --service?)`);
    throw err;
  };
  return {
    label,
    head: () => trail.head().catch(explain),
    hashAt: (seq) => trail.hashAt(seq).catch(explain),
    async *entries() {
      try {
        yield* trail.entries();
      } catch (err) {
        explain(err);
      }
    },
    async *between(from, to) {
      try {
        yield* trail.between(from, to);
      } catch (err) {
        explain(err);
      }
    },
    close: () => pool.end(),
  };
}
