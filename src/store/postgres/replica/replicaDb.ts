/**
 * A border replica's PostgreSQL schema as the modules beside this file see it: the pool, the quoted
 * schema name, the matcher that computes name keys, and the cache of state and rules. Every write goes
 * through `cache.write`, so what a screening reads between writes is never older than the last write
 * (a replica's schema has one writer, this process: docs/postgres.md). The bootstrap, apply, repair
 * and read modules all work through this object, as the SQLite ones work through ReplicaStateFile.
 */
import type { Matcher } from '../../../matching/index.js';
import type { CachedBetweenWrites } from '../../cachedBetweenWrites.js';
import type { Pool } from '../db.js';

export interface ReplicaDb {
  readonly pool: Pool;
  /** The quoted schema name (checkSchemaName). */
  readonly s: string;
  /** Rows per FETCH when a statement's rows are streamed through a server-side cursor. */
  readonly fetchRows: number;
  readonly matcher: Pick<Matcher, 'version' | 'indexKeys'>;
  /** Called while the name index is rebuilt for a new matcher version: (done, total). */
  readonly onReindex?: (done: number, total: number) => void;
  /**
   * The state and the rules, read on every screening, kept between this store's writes (each goes
   * through `cache.write`). Two round trips to the server fewer per screening.
   */
  readonly cache: CachedBetweenWrites;
  /** Bumped by every beginBootstrap: a writer of an older one may no longer touch the next_* tables. */
  bootstrapGeneration: number;
}
