/**
 * What the PostgreSQL stores share: a connection pool per store, schema names, versioned migrations,
 * transactions that cannot silently turn into rollbacks, and row streaming through server-side cursors.
 *
 * Every table is addressed with its schema (`"erx_register".persons`), never through `search_path`, so
 * several erx stores (a register, replicas, test runs) can share one database, each in its own schema.
 */
import pg from 'pg';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

/** Where a PostgreSQL store lives. */
export interface PostgresLocation {
  /** A libpq-style URL, e.g. `postgres://erx@db.internal:5432/erx`. */
  connectionString: string;
  /** The schema holding this store's tables: lowercase letters, digits and `_`, at most 48 characters. */
  schema: string;
  /** Connections in the store's pool (default 10). Each running snapshot holds one for its duration. */
  maxConnections?: number;
  /** Rows per FETCH when streaming a snapshot, a digest or a reindex (default 1,000). */
  fetchRows?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,47}$/;

/** A schema name is spliced into SQL, so only plain identifiers are accepted (and quoted anyway). */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)} must be 1–48 lowercase letters, digits or _, not starting with a digit`);
  }
  return `"${schema}"`;
}

/** int8 (count(*), sequence numbers) as a JS number: erx's numbers stay far below 2^53. */
const types = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === pg.types.builtins.INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

export function createPool(location: PostgresLocation, applicationName: string): Pool {
  const pool = new pg.Pool({
    connectionString: location.connectionString,
    max: location.maxConnections ?? 10,
    application_name: applicationName,
    types,
  });
  // An idle connection that dies (server restart) is dropped from the pool and replaced on next use;
  // without a listener its error would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** A client of its own (outside the pool), for LISTEN. */
export function createClient(location: PostgresLocation, applicationName: string): pg.Client {
  return new pg.Client({ connectionString: location.connectionString, application_name: applicationName, types });
}

/**
 * Commits, and refuses to report success for a transaction PostgreSQL has already aborted (after a
 * failed statement, COMMIT answers ROLLBACK without an error).
 */
export async function commit(client: PoolClient): Promise<void> {
  const result = await client.query('COMMIT');
  if (result.command !== 'COMMIT') throw new Error('the transaction was aborted by an earlier error and has been rolled back');
}

/**
 * Runs `fn` inside one transaction on a pooled client. `begin` is the statement that opens it (an
 * isolation level, SET LOCAL …). A client whose connection broke is destroyed, not returned.
 */
export async function inTransaction<T>(pool: Pool, begin: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await fn(client);
    await commit(client);
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw err;
  } finally {
    client.release(broken);
  }
}

let cursors = 0;

/**
 * Streams the rows of `sql` in chunks of `rows` through a server-side cursor. Must run inside a
 * transaction on `client` (a cursor lives until the transaction ends); never holds more than one chunk.
 */
export async function* fetchChunks<R>(client: PoolClient, sql: string, params: unknown[], rows: number): AsyncGenerator<R[]> {
  const name = `erx_cursor_${++cursors}`;
  await client.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  try {
    for (;;) {
      const chunk = await client.query<R & pg.QueryResultRow>(`FETCH ${rows} FROM ${name}`);
      if (chunk.rows.length > 0) yield chunk.rows;
      if (chunk.rows.length < rows) return;
    }
  } finally {
    // On an early exit the transaction is usually about to end anyway; closing keeps it tidy if not.
    await client.query(`CLOSE ${name}`).catch(() => undefined);
  }
}

export type Component = 'register' | 'replica' | 'manifests';

/**
 * Applies numbered schema steps once each, recording the version per schema in `erx_schema`. Refuses a
 * schema written by a newer erx (rather than guessing at tables it does not know) and a schema that
 * holds the other component's tables. An advisory lock makes concurrent first starts take turns.
 */
export async function migrate(pool: Pool, schema: string, component: Component, steps: ((s: string) => string)[]): Promise<void> {
  const s = checkSchemaName(schema);
  await inTransaction(pool, 'BEGIN', async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('erx-migrate'), hashtext($1))", [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.erx_schema (component text PRIMARY KEY, version integer NOT NULL)`);
    const rows = (await client.query<{ component: string; version: number }>(`SELECT component, version FROM ${s}.erx_schema`)).rows;
    const other = rows.find((r) => r.component !== component);
    if (other) throw new Error(`PostgreSQL schema ${schema} holds an erx ${other.component}, not a ${component}; give each store its own schema`);
    const current = rows[0]?.version ?? 0;
    if (current > steps.length) {
      throw new Error(`${component} database schema version ${current} (PostgreSQL schema ${schema}) is newer than this erx understands (${steps.length}); upgrade erx`);
    }
    for (let v = current; v < steps.length; v++) await client.query(steps[v]!(s));
    if (current < steps.length) {
      await client.query(
        `INSERT INTO ${s}.erx_schema (component, version) VALUES ($1, $2) ON CONFLICT (component) DO UPDATE SET version = excluded.version`,
        [component, steps.length],
      );
    }
  });
}

/**
 * Splits an `ERX_STORE`-style URL into a connection string and a schema: the schema comes from a
 * `schema` query parameter (`postgres://host/db?schema=erx_border_1`), else `defaultSchema`.
 */
export function postgresLocation(url: string, defaultSchema: string): PostgresLocation {
  const parsed = new URL(url);
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new Error(`not a PostgreSQL URL: ${parsed.protocol}`);
  const schema = parsed.searchParams.get('schema') ?? defaultSchema;
  parsed.searchParams.delete('schema');
  checkSchemaName(schema);
  // erx's own parameter, not libpq's: the store's pool size (a checkpoint needs few connections, a
  // register serving many bootstraps at once more).
  const pool = parsed.searchParams.get('pool');
  parsed.searchParams.delete('pool');
  if (pool !== null && !/^[1-9]\d{0,3}$/.test(pool)) throw new Error(`?pool=${pool} in the PostgreSQL URL must be a number of connections from 1 to 9999`);
  return { connectionString: parsed.toString(), schema, ...(pool !== null ? { maxConnections: Number(pool) } : {}) };
}
