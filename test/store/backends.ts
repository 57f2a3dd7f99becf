/**
 * The storage backends the contract suite runs against, behind one small interface: a fresh register
 * or replica per test, a way to reopen a replica (a restart), and raw SQL on the replica's tables (hand
 * edits for the repair and audit scenarios).
 *
 * PostgreSQL: `ERX_TEST_PG` (default postgres://postgres@127.0.0.1:5432/test, or built from PGHOST,
 * PGPORT, PGUSER, PGDATABASE when those are set). Each store gets a fresh schema `erx_test_<random>`,
 * dropped after the test. When the server cannot be reached the PostgreSQL tests are skipped with the
 * reason — except in CI (CI=true), where they fail.
 */
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestContext } from 'node:test';
import type { AuditEntry, VerifyResult } from '../../src/audit/chain.js';
import type { ReplicaStore } from '../../src/border/replicaStore.js';
import { defaultMatcher } from '../../src/matching/index.js';
import type { RegisterStore } from '../../src/register/registerStore.js';
import type { Signer } from '../../src/exchange/keys.js';
import { PostgresRegisterStore } from '../../src/store/postgres/registerStore.js';
import { PostgresReplicaStore } from '../../src/store/postgres/replicaStore.js';
import { SqliteRegisterStore } from '../../src/store/sqlite/registerStore.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { tempDir } from '../helpers.js';

export interface StoreOptions {
  /** PostgreSQL: rows per FETCH (small values make snapshots cross many chunk boundaries). */
  fetchRows?: number;
  /** PostgreSQL: connections per pool. */
  maxConnections?: number;
}

/** A store's hash-chained audit trail, read the same way on every backend. */
export interface TrailReader {
  verify(): Promise<VerifyResult>;
  recent(action: string, limit: number): Promise<AuditEntry[]>;
}

export interface ReplicaHandle {
  store: ReplicaStore;
  /** Closes the store and opens it again on the same data (a process restart). */
  reopen(): Promise<ReplicaStore>;
  /** Runs raw SQL on the replica's state tables (persons, restrictions, …), outside the store. */
  stateSql(sql: string): Promise<void>;
  /** Runs raw SQL on the audit trail's table (`audit_trail`), outside the store. */
  auditSql(sql: string): Promise<void>;
  /** Opens the same data a second time as a reader, as a replica's other worker does (closed at the test's end). */
  reader(): Promise<ReplicaStore>;
}

export interface Backend {
  name: 'sqlite' | 'postgres';
  /** Why this backend cannot run here, or null when it can. */
  unavailable(): Promise<string | null>;
  register(t: TestContext, signer: Signer, options?: StoreOptions): Promise<RegisterStore>;
  replica(t: TestContext, options?: StoreOptions): Promise<ReplicaHandle>;
  /** The audit trail of a store this backend opened. */
  trail(store: RegisterStore | ReplicaStore): TrailReader;
}

/** Closes a store once, whoever asks first (the test itself or its cleanup). */
function closeOnce<S extends { close(): Promise<void> }>(store: S): S {
  let closing: Promise<void> | null = null;
  const close = store.close.bind(store);
  store.close = () => (closing ??= close());
  return store;
}

export const sqlite: Backend = {
  name: 'sqlite',
  unavailable: async () => null,
  async register(t, signer) {
    const store = closeOnce(new SqliteRegisterStore(tempDir(t), signer));
    t.after(() => store.close());
    return store;
  },
  trail(store) {
    const trail = (store as SqliteRegisterStore | SqliteReplicaStore).trail;
    return { verify: async () => trail.verify(), recent: async (action, limit) => trail.recent(action, limit) };
  },
  async replica(t) {
    const dir = tempDir(t);
    const open = () => closeOnce(new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher }));
    const raw = (file: string) => async (sql: string) => {
      const db = new Database(`${dir}/${file}`);
      try {
        db.exec(sql);
      } finally {
        db.close();
      }
    };
    const handle: ReplicaHandle = {
      store: open(),
      async reopen() {
        await handle.store.close();
        handle.store = open();
        return handle.store;
      },
      stateSql: raw('state.db'),
      auditSql: raw('audit.db'),
      async reader() {
        const reader = closeOnce(new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher, role: 'reader' }));
        t.after(() => reader.close());
        return reader;
      },
    };
    t.after(() => handle.store.close());
    return handle;
  },
};

function pgUrl(): string {
  if (process.env.ERX_TEST_PG) return process.env.ERX_TEST_PG;
  const env = process.env;
  if (env.PGHOST || env.PGDATABASE || env.PGUSER || env.PGPORT) {
    const auth = encodeURIComponent(env.PGUSER ?? 'postgres') + (env.PGPASSWORD ? `:${encodeURIComponent(env.PGPASSWORD)}` : '');
    return `postgres://${auth}@${env.PGHOST ?? '127.0.0.1'}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? 'test'}`;
  }
  return 'postgres://postgres@127.0.0.1:5432/test';
}

export const PG_URL = pgUrl();

let probed: Promise<string | null> | null = null;

function probe(): Promise<string | null> {
  return (probed ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 5000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (err) {
      return `PostgreSQL at ${PG_URL.replace(/:[^:@/]*@/, ':***@')} is unreachable (${(err as Error).message || String(err)})`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })());
}

/** Runs SQL on its own short-lived connection. */
export async function pgExec(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

/** A fresh schema name, dropped (with everything in it) when the test ends — after `cleanup`. */
export function freshSchema(t: TestContext, cleanup: () => Promise<void> = async () => undefined): string {
  const schema = `erx_test_${randomBytes(6).toString('hex')}`;
  t.after(async () => {
    await cleanup().catch(() => undefined);
    await pgExec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });
  return schema;
}

export const postgres: Backend = {
  name: 'postgres',
  unavailable: probe,
  async register(t, signer, options = {}) {
    let store: PostgresRegisterStore | null = null;
    const schema = freshSchema(t, async () => store?.close());
    store = closeOnce(await PostgresRegisterStore.open({ connectionString: PG_URL, schema, ...options }, signer));
    return store;
  },
  trail(store) {
    const trail = (store as PostgresRegisterStore | PostgresReplicaStore).trail;
    return { verify: () => trail.verify(), recent: (action, limit) => trail.recent(action, limit) };
  },
  async replica(t, options = {}) {
    let handle: ReplicaHandle | null = null;
    const schema = freshSchema(t, async () => handle?.store.close());
    const open = async () => closeOnce(await PostgresReplicaStore.open({ connectionString: PG_URL, schema, matcher: defaultMatcher, ...options }));
    const raw = async (sql: string) => void (await pgExec(`SET search_path TO "${schema}"; ${sql}`));
    const h: ReplicaHandle = {
      store: await open(),
      async reopen() {
        await h.store.close();
        h.store = await open();
        return h.store;
      },
      stateSql: raw,
      auditSql: raw,
      async reader() {
        const reader = closeOnce(await PostgresReplicaStore.open({ connectionString: PG_URL, schema, matcher: defaultMatcher, ...options, role: 'reader' }));
        t.after(() => reader.close());
        return reader;
      },
    };
    handle = h;
    return h;
  },
};

export const BACKENDS: Backend[] = [sqlite, postgres];

/**
 * Returns true (after marking the test skipped) when `backend` cannot run here. In CI a missing
 * service is a failure, not a skip.
 */
export async function unavailableHere(t: TestContext, backend: Backend): Promise<boolean> {
  const problem = await backend.unavailable();
  if (problem === null) return false;
  if (process.env.CI === 'true') throw new Error(`${backend.name} tests must run in CI (CI=true), but ${problem}`);
  t.skip(`${backend.name}: ${problem}`);
  return true;
}
