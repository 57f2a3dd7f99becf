/**
 * The register's PostgreSQL schema as the modules beside this file see it: the pool, the quoted schema
 * name, the NOTIFY channel of its commits, the signer that seals batches and the audit trail that
 * commits with them. The write transaction, the change log, the snapshot, the search keys and the
 * reads all work through this object, as the SQLite ones work through their RegisterDb.
 */
import type { Signer } from '../../../exchange/keys.js';
import type { PostgresAuditTrail } from '../auditTrail.js';
import type { Pool, PoolClient } from '../db.js';

export interface RegisterDb {
  readonly pool: Pool;
  /** The quoted schema name (checkSchemaName). */
  readonly s: string;
  /** The LISTEN/NOTIFY channel on which every sealed batch announces the new head. */
  readonly channel: string;
  /** Rows per FETCH when a statement's rows are streamed through a server-side cursor. */
  readonly fetchRows: number;
  readonly signer: Signer;
  /** Every mutation, hash-chained, committed in the same transaction as the mutation itself. */
  readonly trail: PostgresAuditTrail;
}

/** The pool, or a client inside a transaction: what a read runs on. */
export type Queryable = Pick<PoolClient, 'query'>;
