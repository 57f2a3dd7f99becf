/**
 * A carriers' manifest store on either backend, for the tests of the store: a fresh SQLite directory or
 * PostgreSQL schema, opened again on the same data (a restart), or altered by hand while closed (an
 * older erx's schema).
 */
import type { TestContext } from 'node:test';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ManifestStore } from '../../src/border/manifests/manifestStore.js';
import { PostgresManifestStore } from '../../src/store/postgres/manifestStore.js';
import { SqliteManifestStore } from '../../src/store/sqlite/manifestStore.js';
import { tempDir } from '../helpers.js';
import { type Backend, freshSchema, pgExec, PG_URL } from './backends.js';

export interface ManifestStoreHandle {
  store: ManifestStore;
  /** Closes the store and opens it again on the same data. */
  reopen(): Promise<ManifestStore>;
  /** Closes the store, runs SQL on its database (SQLite's manifests.db, or PostgreSQL with the schema's name), and opens it again. */
  alter(sql: { sqlite: string; postgres: (schema: string) => string }): Promise<void>;
}

export async function openManifestStore(t: TestContext, backend: Backend): Promise<ManifestStoreHandle> {
  if (backend.name === 'sqlite') {
    const dir = tempDir(t);
    const h: ManifestStoreHandle = {
      store: new SqliteManifestStore(dir),
      async reopen() {
        await h.store.close();
        return (h.store = new SqliteManifestStore(dir));
      },
      async alter(sql) {
        await h.store.close();
        const db = new Database(join(dir, 'manifests.db'));
        db.exec(sql.sqlite);
        db.close();
        h.store = new SqliteManifestStore(dir);
      },
    };
    t.after(() => h.store.close().catch(() => undefined));
    return h;
  }
  let h: ManifestStoreHandle | null = null;
  const schema = freshSchema(t, async () => h?.store.close());
  const openPg = () => PostgresManifestStore.open({ connectionString: PG_URL, schema });
  h = {
    store: await openPg(),
    async reopen() {
      await h!.store.close();
      return (h!.store = await openPg());
    },
    async alter(sql) {
      await h!.store.close();
      await pgExec(sql.postgres(schema));
      h!.store = await openPg();
    },
  };
  return h;
}
