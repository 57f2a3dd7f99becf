/**
 * The register's store, chosen from configuration, signing its batches with the keys kept beside it:
 * embedded SQLite in `dataDir` by default, PostgreSQL when `store` (or ERX_STORE) is a postgres:// URL.
 * Keys and the token secret stay in `dataDir` either way. The only place that names a concrete
 * register store; everything above sees the RegisterStore port (register/store.ts).
 */
import { RegisterKeys } from '../../auth/keyRing.js';
import type { RegisterStore } from '../../register/registerStore.js';
import { isPostgresUrl, postgresRegisterStore } from '../../store/postgres/index.js';
import { SqliteRegisterStore } from '../../store/sqlite/registerStore.js';

export function openRegisterStore(dataDir: string, keys = new RegisterKeys(dataDir), store = process.env.ERX_STORE): RegisterStore {
  return isPostgresUrl(store) ? postgresRegisterStore(store, keys) : new SqliteRegisterStore(dataDir, keys);
}

/** Whether openRegisterStore would choose PostgreSQL for this URL (then there is no register.db in the data directory). */
export function registerInPostgres(store = process.env.ERX_STORE): boolean {
  return isPostgresUrl(store);
}
