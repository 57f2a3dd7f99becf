/**
 * Opening the PostgreSQL stores from a store URL (`ERX_STORE=postgres://…`). The constructors are
 * synchronous: the schema is migrated in the background and every operation waits for it (and fails
 * with its error), so these slot in where a SQLite store is built today. `await store.ready` (or the
 * static `open`) to fail fast at start-up instead.
 *
 * One database can hold a register and any number of replicas, each in its own schema: the register
 * defaults to `erx_register`, a replica to `erx_border`; `?schema=name` in the URL chooses another.
 */
import type { Matcher } from '../../matching/index.js';
import { postgresLocation } from './db.js';
import type { Signer } from '../../exchange/keys.js';
import { PostgresRegisterStore } from './registerStore.js';
import { PostgresReplicaStore } from './replicaStore.js';

export { postgresLocation, type PostgresLocation } from './db.js';
export { PostgresAuditTrail } from './auditTrail.js';
export { PostgresRegisterStore, type PostgresRegisterOptions } from './registerStore.js';
export { PostgresReplicaStore, type PostgresReplicaOptions } from './replicaStore.js';

export const DEFAULT_REGISTER_SCHEMA = 'erx_register';
export const DEFAULT_REPLICA_SCHEMA = 'erx_border';

/** Whether a store setting names PostgreSQL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//i.test(url);
}

export function postgresRegisterStore(url: string, signer: Signer): PostgresRegisterStore {
  return new PostgresRegisterStore(postgresLocation(url, DEFAULT_REGISTER_SCHEMA), signer);
}

export function postgresReplicaStore(
  url: string,
  options: { matcher: Pick<Matcher, 'version' | 'indexKeys'>; onReindex?: (done: number, total: number) => void; role?: 'writer' | 'reader' },
): PostgresReplicaStore {
  return new PostgresReplicaStore({ ...postgresLocation(url, DEFAULT_REPLICA_SCHEMA), ...options });
}
