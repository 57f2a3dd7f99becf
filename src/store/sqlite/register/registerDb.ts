/**
 * The register's one SQLite connection with its statements and signer: what the write transaction,
 * the change log, the snapshot and the reads beside this file work through. better-sqlite3 has one
 * connection and an open transaction owns it, so the store serialises every transaction on it.
 */
import type { Signer } from '../../../exchange/keys.js';
import type { Db } from '../../../shared/sqlite.js';
import type { Statements } from './schema.js';

export interface RegisterDb {
  readonly db: Db;
  readonly stmt: Statements;
  /** The register.db file (a snapshot opens a read-only connection of its own to it). */
  readonly file: string;
  readonly signer: Signer;
}
