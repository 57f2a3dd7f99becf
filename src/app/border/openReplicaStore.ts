/**
 * The replica's storage, chosen from configuration: PostgreSQL when `store` is a postgres:// URL (a
 * border central database), else embedded SQLite in `dataDir`. The only place on the border side that
 * names a concrete store; everything above it sees the ReplicaStore port (border/store.ts).
 */
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { Matcher } from '../../matching/index.js';
import { isPostgresUrl, postgresReplicaStore } from '../../store/postgres/index.js';
import { SqliteReplicaStore } from '../../store/sqlite/replicaStore.js';

export interface ReplicaStoreChoice {
  dataDir: string;
  /** A postgres:// URL, or undefined for SQLite. Not read from ERX_STORE here: the caller decides that. */
  store?: string | undefined;
  matcher: Matcher;
  /** `reader`: a worker beside the replica's one writer (workers.ts); default `writer`. */
  role?: 'writer' | 'reader';
}

export function openReplicaStore(choice: ReplicaStoreChoice): ReplicaStore {
  const role = choice.role ?? 'writer';
  return isPostgresUrl(choice.store) ? postgresReplicaStore(choice.store, { matcher: choice.matcher, role }) : new SqliteReplicaStore({ dataDir: choice.dataDir, matcher: choice.matcher, role });
}
