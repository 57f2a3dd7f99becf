/**
 * Opening an embedded SQLite database with the durability settings erx relies on.
 *
 * WAL lets readers (snapshot streams, screenings) run beside the single writer. `synchronous` is a
 * per-role choice: the register uses FULL, because a change it has handed out must never vanish after a
 * power cut (its sequence number would be reused with another body); a replica uses NORMAL, which in WAL
 * mode survives a killed process intact and at worst forgets the last few commits after a power cut —
 * the replica then simply refetches them from its cursor.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type Db = Database.Database;

export interface OpenOptions {
  synchronous: 'FULL' | 'NORMAL' | 'OFF';
  readonly?: boolean;
  /**
   * WAL unless said otherwise; OFF or MEMORY only for a file that is worthless until complete (a
   * bootstrap). Note: better-sqlite3 opens connections in SQLite's defensive mode, which refuses
   * `journal_mode = OFF` and leaves the default (a rollback journal on disk); MEMORY keeps the journal
   * in memory and is allowed.
   */
  journal?: 'WAL' | 'OFF' | 'MEMORY';
  /** SQLite's page cache for this connection, in KiB (`PRAGMA cache_size = -N`); SQLite's default (2 MiB) if absent. */
  cacheKiB?: number;
  /** Bytes of the file read through a memory map (`PRAGMA mmap_size`); none if absent. */
  mmapBytes?: number;
}

export function openDatabase(file: string, options: OpenOptions): Db {
  if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  try {
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) db.pragma(`journal_mode = ${options.journal ?? 'WAL'}`);
    db.pragma(`synchronous = ${options.synchronous}`);
    db.pragma('foreign_keys = ON');
    if (options.cacheKiB !== undefined) db.pragma(`cache_size = ${-Math.max(0, Math.floor(options.cacheKiB))}`);
    if (options.mmapBytes !== undefined) db.pragma(`mmap_size = ${Math.max(0, Math.floor(options.mmapBytes))}`);
  } catch (err) {
    // A file that is not a database (damaged on disk) fails here: let go of it, so it can be moved aside.
    db.close();
    throw err;
  }
  return db;
}

/**
 * Applies numbered schema steps once each, recorded in `user_version`. Refuses a database written by a
 * newer erx, rather than guessing at a schema it does not know.
 */
export function migrate(db: Db, steps: string[], what: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > steps.length) {
    throw new Error(`${what} database schema version ${current} is newer than this erx understands (${steps.length}); upgrade erx`);
  }
  for (let v = current; v < steps.length; v++) {
    db.transaction(() => {
      db.exec(steps[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
