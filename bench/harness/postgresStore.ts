/**
 * The `postgres` store of the bench: the register and every replica kept in PostgreSQL
 * (`ERX_BENCH_POSTGRES`, default postgres://postgres@127.0.0.1:5432/test), as `erx register serve
 * --store` and `erx border serve --store` keep them. Each gets a schema of its own, named after its
 * data directory (which still holds the register's signing keys and the token secrets):
 * `bench_reg_<hash of the directory>` for a register, `bench_rep_…` for a replica, `bench_raw_…` for a
 * baseline's bare tables.
 *
 * A schema lives as long as its directory: it is dropped when the bench removes the directory, and at
 * the end for every directory that is gone. A `--register-cache` register keeps its directory, hence
 * its schema, and later runs find both under the same name.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import pg from 'pg';
import { defaultMatcher } from '../../src/matching/index.js';
import { openRegisterStore } from '../../src/app/registerServer.js';
import type { PersonInput } from '../../src/register/schemas.js';
import { PostgresReplicaStore } from '../../src/store/postgres/index.js';
import { encodeDeferments, encodeDocuments } from '../../src/store/rows.js';
import type { BuiltRegister, RawBatch, RawInsertResult, ReplicaProgress, Store } from './deployment.js';
import { applyAll, indexEntries, loadPersons, rawBatchOf, type ReplicaRowShape } from './registerData.js';

/** The PostgreSQL server and database the bench uses. */
export const BENCH_POSTGRES = process.env.ERX_BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The rows PostgresReplicaStore writes: names as they are, and `expires_at` beside the rest. */
const POSTGRES_ROWS: ReplicaRowShape = {
  person: (p, seq) => [p.personId, p.surname, p.givenNames, p.patronymic ?? null, p.dateOfBirth, encodeDocuments(p.documents), encodeDeferments(p.deferments), seq],
  restriction: (r, seq) => [r.restrictionId, r.personId, r.kind, r.basis, r.office, r.inForceFrom, r.liftedAt ?? null, r.liftReason ?? null, seq, r.expiresAt ?? null],
};

interface Column {
  name: string;
  type: 'text' | 'bigint';
}

const text = (name: string): Column => ({ name, type: 'text' });
const PERSON_COLUMNS = [...['person_id', 'surname', 'given_names', 'patronymic', 'date_of_birth', 'documents', 'deferments'].map(text), { name: 'seq', type: 'bigint' } as Column];
const RESTRICTION_COLUMNS = [
  ...['restriction_id', 'person_id', 'kind', 'basis', 'office', 'in_force_from', 'lifted_at', 'lift_reason'].map(text),
  { name: 'seq', type: 'bigint' } as Column,
  text('expires_at'),
];

/**
 * The replica's live tables (src/store/postgres/replica/schema.ts, stateTables): the same columns,
 * collations and primary keys, logged like the live tables a replica applies to (only a bootstrap's
 * tables are unlogged, while they load).
 */
function bareTables(s: string, withIndexRows: boolean): string {
  const tables = `
  CREATE TABLE ${s}.persons (person_id text COLLATE "C", surname text NOT NULL, given_names text NOT NULL, patronymic text,
    date_of_birth text NOT NULL, documents text NOT NULL, deferments text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (person_id));
  CREATE TABLE ${s}.restrictions (restriction_id text COLLATE "C", person_id text COLLATE "C" NOT NULL, kind text NOT NULL,
    basis text NOT NULL, office text NOT NULL, in_force_from text NOT NULL, lifted_at text, lift_reason text, seq bigint NOT NULL,
    expires_at text, PRIMARY KEY (restriction_id));`;
  if (!withIndexRows) return tables;
  return `${tables}
  CREATE TABLE ${s}.documents (number text COLLATE "C", country text COLLATE "C", person_id text COLLATE "C", PRIMARY KEY (number, country, person_id));
  CREATE TABLE ${s}.name_keys (key text COLLATE "C", person_id text COLLATE "C", PRIMARY KEY (key, person_id));
  CREATE INDEX restrictions_by_person ON ${s}.restrictions (person_id);`;
}

/**
 * One set-based statement, as the replica store writes: `INSERT … SELECT * FROM unnest(…)`. With
 * `upsert`, rows replace older ones with the same first column (the primary key), else duplicates are
 * skipped.
 */
function insertStatement(table: string, columns: Column[], rows: unknown[][], upsert: boolean): [string, unknown[]] {
  // A statement may not update a row twice: the last state of each key, as the replica writes it.
  const kept = upsert ? [...new Map(rows.map((r) => [r[0], r])).values()] : rows;
  const names = columns.map((c) => c.name);
  const conflict = upsert
    ? `ON CONFLICT (${names[0]}) DO UPDATE SET ${names.slice(1).map((n) => `${n} = excluded.${n}`).join(', ')}`
    : 'ON CONFLICT DO NOTHING';
  return [
    `INSERT INTO ${table} (${names.join(', ')}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) ${conflict}`,
    columns.map((_, i) => kept.map((r) => r[i])),
  ];
}

function batchStatements(s: string, b: RawBatch, withIndexRows: boolean): [string, unknown[]][] {
  const out: [string, unknown[]][] = [];
  if (b.persons.length) out.push(insertStatement(`${s}.persons`, PERSON_COLUMNS, b.persons, true));
  if (withIndexRows && b.documents.length) out.push(insertStatement(`${s}.documents`, ['number', 'country', 'person_id'].map(text), b.documents, false));
  if (withIndexRows && b.nameKeys.length) out.push(insertStatement(`${s}.name_keys`, ['key', 'person_id'].map(text), b.nameKeys, false));
  if (b.restrictions.length) out.push(insertStatement(`${s}.restrictions`, RESTRICTION_COLUMNS, b.restrictions, true));
  return out;
}

/** PostgreSQL's "there is no such table / schema" (yet). */
const NOT_THERE = new Set(['42P01', '3F000']);

type Kind = 'reg' | 'rep' | 'raw';

/** Connections in each bench replica's pool, and what the register (its pool and LISTEN) and the bench itself may hold. */
const REPLICA_POOL = 2;
const REGISTER_AND_BENCH_CONNECTIONS = 16;

class PostgresBenchStore implements Store {
  readonly name = 'postgres';
  readonly describe = {
    rawInsert:
      'same columns, `COLLATE "C"` keys and primary keys, logged tables like the live ones a replica applies to, set-based `INSERT … SELECT * FROM unnest(…) ON CONFLICT …` as the replica writes, `synchronous_commit off` as it applies a page',
    audit: 'PostgreSQL, a hash-chained trail, `synchronous_commit` on; entries that arrive during a commit are committed together',
    memory: 'the state is held by the PostgreSQL server (same machine), whose memory the RSS of `erx border serve` does not include',
  };
  private pool: pg.Pool | undefined;
  /** Schemas named for a directory and not dropped yet, with that directory. */
  private readonly owned = new Map<string, string>();
  private readonly dropping = new Map<string, Promise<void>>();
  private readonly failedDrops: string[] = [];
  private closed: Promise<void> | undefined;
  private ended = false;

  /** The server's URL without any `schema` (each store gets its own). */
  private get server(): string {
    const url = new URL(BENCH_POSTGRES);
    url.searchParams.delete('schema');
    return url.toString();
  }

  private storeUrl(schema: string): string {
    const url = new URL(this.server);
    url.searchParams.set('schema', schema);
    return url.toString();
  }

  /** The schema of a directory: the same for the same path, in this run and later ones (the cache). */
  private schema(kind: Kind, dir: string): string {
    const path = resolve(dir);
    const schema = `bench_${kind}_${createHash('sha256').update(path).digest('hex').slice(0, 16)}`;
    this.owned.set(schema, path);
    return schema;
  }

  private db(): pg.Pool {
    if (this.ended) throw new Error('the bench is stopping');
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.server, max: 4, application_name: 'erx-bench' });
      // An idle connection that dies is replaced on next use; unheard, its error would end the bench.
      this.pool.on('error', () => undefined);
    }
    return this.pool;
  }

  async unavailable(): Promise<string | null> {
    let server: string;
    try {
      server = this.server;
    } catch (err) {
      return `ERX_BENCH_POSTGRES is not a URL (${(err as Error).message})`;
    }
    const shown = new URL(server);
    if (shown.password) shown.password = '***';
    const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return null;
    } catch (err) {
      return `PostgreSQL at ${shown} is unreachable (${(err as Error).message || String(err)}); set ERX_BENCH_POSTGRES`;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async buildRegister(dir: string, persons: Iterable<PersonInput>, batchSize: number, onProgress?: (persons: number) => void): Promise<BuiltRegister> {
    const schema = this.schema('reg', dir);
    // A cached register whose build was interrupted is rebuilt from nothing.
    await this.dropSchema(schema);
    const started = performance.now();
    const store = openRegisterStore(dir, undefined, this.storeUrl(schema));
    try {
      const loaded = await loadPersons(store, persons, batchSize, onProgress);
      const changes = await store.headSeq();
      const seconds = (performance.now() - started) / 1000;
      const s = `"${schema}"`;
      const { n } = (
        await this.db().query<{ n: string }>(`SELECT (SELECT count(*) FROM ${s}.persons) + (SELECT count(*) FROM ${s}.restrictions WHERE served_at IS NOT NULL) AS n`)
      ).rows[0]!;
      return { dir, persons: loaded, changes, records: Number(n), seconds };
    } finally {
      await store.close().catch(() => undefined);
    }
  }

  async *rawBatches(register: BuiltRegister): AsyncIterable<RawBatch> {
    const s = `"${this.schema('reg', register.dir)}"`;
    const db = this.db();
    const batches = (await db.query<{ first_seq: string; last_seq: string }>(`SELECT first_seq, last_seq FROM ${s}.batches ORDER BY last_seq`)).rows;
    for (const b of batches) {
      const changes = (
        await db.query<{ seq: string; entity: string; body: string | null }>(`SELECT seq, entity, body FROM ${s}.changes WHERE seq BETWEEN $1 AND $2 ORDER BY seq`, [b.first_seq, b.last_seq])
      ).rows;
      yield rawBatchOf(changes.map((c) => ({ ...c, seq: Number(c.seq) })), POSTGRES_ROWS);
    }
  }

  /**
   * Runs `fn` on one connection with a baseline's schema of its own (`bench_raw_…`, named after `dir`),
   * dropped afterwards; a connection that broke is not returned to the pool.
   */
  private async inRawSchema<T>(dir: string, fn: (client: pg.PoolClient, s: string) => Promise<T>): Promise<T> {
    const schema = this.schema('raw', dir);
    const client = await this.db().connect();
    let broken: Error | undefined;
    try {
      return await fn(client, `"${schema}"`);
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
      await this.release(schema);
    }
  }

  async rawInsert(dir: string, batches: AsyncIterable<RawBatch>, withIndexRows: boolean): Promise<RawInsertResult> {
    return this.inRawSchema(dir, async (client, s) => {
      await client.query(`CREATE SCHEMA ${s}; ${bareTables(s, withIndexRows)}`);
      let rows = 0;
      let entries = 0;
      let ms = 0;
      for await (const b of batches) {
        const statements = batchStatements(s, b, withIndexRows);
        const t0 = performance.now();
        // The replica's setting for applying a page: a commit lost in a power cut is fetched again.
        await client.query('BEGIN; SET LOCAL synchronous_commit TO off');
        for (const [sql, params] of statements) await client.query(sql, params);
        await client.query('COMMIT');
        ms += performance.now() - t0;
        // Counted per change, as the replica counts what it applies (it too writes each key's last state once).
        rows += b.persons.length + b.restrictions.length;
        entries += indexEntries(b, withIndexRows);
      }
      return { rows, entries, seconds: ms / 1000 };
    });
  }

  private replicaStore(dir: string): PostgresReplicaStore {
    return new PostgresReplicaStore({ connectionString: this.server, schema: this.schema('rep', dir), matcher: defaultMatcher });
  }

  async applyInProcess(register: BuiltRegister, replicaDir: string, pageSize: number): Promise<{ changes: number; seconds: number }> {
    await this.emptyReplica(replicaDir);
    return applyAll(openRegisterStore(register.dir, undefined, this.storeUrl(this.schema('reg', register.dir))), this.replicaStore(replicaDir), pageSize);
  }

  async emptyReplica(dir: string): Promise<void> {
    const store = this.replicaStore(dir);
    try {
      const writer = await store.beginBootstrap();
      await writer.finish(0, new Date().toISOString(), '');
    } finally {
      await store.close();
    }
  }

  async replicaProgress(dir: string): Promise<ReplicaProgress | undefined> {
    const s = `"${this.schema('rep', dir)}"`;
    try {
      const rows = (await this.db().query<{ key: string; value: string }>(`SELECT key, value FROM ${s}.meta WHERE key IN ('cursor', 'dataAsOf')`)).rows;
      const meta = new Map(rows.map((r) => [r.key, r.value]));
      return { cursor: meta.has('cursor') ? Number(meta.get('cursor')) : null, dataAsOf: meta.get('dataAsOf') ?? null };
    } catch (err) {
      if (NOT_THERE.has((err as { code?: string }).code ?? '')) return undefined; // the replica has not created its schema yet
      throw err;
    }
  }

  async auditFloor(dir: string, answer: string, seconds: number): Promise<number> {
    return this.inRawSchema(dir, async (client, s) => {
      // The audit trail's table and indexes (src/store/postgres/auditTrail.ts), without the chain's lock and read.
      await client.query(`CREATE SCHEMA ${s};
        CREATE TABLE ${s}.audit_trail (seq bigint PRIMARY KEY, at text COLLATE "C" NOT NULL, actor text COLLATE "C" NOT NULL,
          action text COLLATE "C" NOT NULL, subject text NOT NULL, detail text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL);
        CREATE INDEX audit_by_action_time ON ${s}.audit_trail (action, at);
        CREATE INDEX audit_by_action_seq ON ${s}.audit_trail (action, seq);`);
      const detail = JSON.stringify({ request: { surname: 'IVANOV' }, decision: 'clear', reasons: JSON.parse(answer), replicaSeq: 0 });
      const hash = 'f'.repeat(64);
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < seconds * 1000) {
        await client.query('BEGIN');
        await client.query(`INSERT INTO ${s}.audit_trail VALUES ($1, $2, 'bench@127.0.0.1', 'screening', $3, $4, $5, $5)`, [++n, new Date().toISOString(), crypto.randomUUID(), detail, hash]);
        await client.query('COMMIT');
      }
      return n / ((performance.now() - t0) / 1000);
    });
  }

  registerArgs(dir: string): string[] {
    return ['--data', dir, '--store', this.storeUrl(this.schema('reg', dir))];
  }

  replicaArgs(dir: string): string[] {
    // A small pool: the lag section runs dozens of replica processes against one server.
    const url = new URL(this.storeUrl(this.schema('rep', dir)));
    url.searchParams.set('pool', String(REPLICA_POOL));
    return ['--data', dir, '--store', url.toString()];
  }

  async replicaLimit(): Promise<{ max: number; why: string }> {
    const row = (await this.db().query<{ max: string; reserved: string }>("SELECT current_setting('max_connections') AS max, current_setting('superuser_reserved_connections') AS reserved")).rows[0]!;
    const usable = Number(row.max) - Number(row.reserved) - REGISTER_AND_BENCH_CONNECTIONS;
    return {
      max: Math.max(0, Math.floor(usable / REPLICA_POOL)),
      why: `each replica process keeps a pool of its own (?pool=${REPLICA_POOL}); the server allows ${row.max} connections (${row.reserved} reserved), the register and the bench take up to ${REGISTER_AND_BENCH_CONNECTIONS}; raise max_connections to run more`,
    };
  }

  private async dropSchema(schema: string): Promise<void> {
    // A replica just killed may hold its locks a moment longer; do not wait on one for ever.
    await this.db().query(`BEGIN; SET LOCAL lock_timeout = '10s'; DROP SCHEMA IF EXISTS "${schema}" CASCADE; COMMIT`);
  }

  /** Drops a schema of ours (once, however often asked); a failure is reported when the bench ends. */
  private release(schema: string): Promise<void> {
    let drop = this.dropping.get(schema);
    if (!drop) {
      drop = this.dropSchema(schema)
        .catch((err: Error) => void this.failedDrops.push(`${schema} (${err.message})`))
        .finally(() => {
          this.owned.delete(schema);
          this.dropping.delete(schema);
        });
      this.dropping.set(schema, drop);
    }
    return drop;
  }

  dirRemoved(dir: string): void {
    const path = resolve(dir);
    for (const [schema, owner] of this.owned) if (owner === path) void this.release(schema);
  }

  /** The schemas whose directory is gone: everything of this run but the cached registers. */
  private orphans(): string[] {
    return [...this.owned].filter(([, dir]) => !existsSync(dir)).map(([schema]) => schema);
  }

  close(): Promise<void> {
    this.closed ??= (async () => {
      await Promise.all(this.orphans().map((schema) => this.release(schema)));
      this.ended = true;
      await this.pool?.end().catch(() => undefined);
      if (this.failedDrops.length) process.stderr.write(`could not drop PostgreSQL schema(s), drop them by hand: ${this.failedDrops.join('; ')}\n`);
      this.owned.clear();
    })();
    return this.closed;
  }

  /** The bench is exiting without close(): a child process drops what is left, synchronously. */
  closeNow(): void {
    const schemas = this.orphans();
    this.owned.clear();
    if (schemas.length === 0) return;
    const script = `
      const pg = require(process.env.PG_MODULE);
      const client = new pg.Client({ connectionString: process.env.PG_URL, connectionTimeoutMillis: 3000 });
      client.connect().then(() => client.query(process.env.PG_SQL)).catch((e) => { console.error(e.message); process.exitCode = 1; }).finally(() => client.end());`;
    const sql = `SET lock_timeout = '5s'; DROP SCHEMA IF EXISTS ${schemas.map((s) => `"${s}"`).join(', ')} CASCADE`;
    const env = { ...process.env, PG_MODULE: createRequire(import.meta.url).resolve('pg'), PG_URL: this.server, PG_SQL: sql };
    const result = spawnSync(process.execPath, ['-e', script], { env, timeout: 15_000, encoding: 'utf8' });
    if (result.status !== 0) process.stderr.write(`could not drop PostgreSQL schema(s) ${schemas.join(', ')}: ${result.stderr || result.error?.message}\n`);
  }
}

export const postgresStore: Store = new PostgresBenchStore();
