/**
 * The baseline a team would pick instead of erx's matcher: PostgreSQL `pg_trgm` trigram similarity
 * over ICAO-transliterated full names (a GIN trigram index), with the date of birth as an equality
 * filter and the document number as an exact lookup.
 *
 * Thresholds: a row is a candidate when similarity ≥ 0.3 (pg_trgm's own default
 * `pg_trgm.similarity_threshold`, the `%` operator); a candidate with similarity ≥ 0.5 is a hit, the
 * rest refers. A document number and issuing state found is a hit.
 */
import type { PersonInput } from '../../src/register/schemas.js';
import { foldLatin, icaoLatin } from '../../src/matching/index.js';

export const TRGM_REFER = 0.3;
export const TRGM_HIT = 0.5;

type Decision = 'hit' | 'refer' | 'clear';

interface Client {
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

export interface TrgmBaseline {
  screen(q: { surname?: string; givenNames?: string; dateOfBirth?: string; documentNumber?: string; nationality?: string; documentCountry?: string }): Promise<Decision>;
  close(): Promise<void>;
}

/** Connects (127.0.0.1:5432, database `test`, user postgres or root) and loads the watchlist; throws with the reason if it cannot. */
export async function trgmBaseline(persons: PersonInput[], restricted: Set<string>): Promise<TrgmBaseline> {
  let pg: typeof import('pg');
  try {
    pg = (await import('pg')).default as unknown as typeof import('pg');
  } catch (err) {
    throw new Error(`the pg package is not installed (${(err as Error).message})`);
  }
  let client: Client | undefined;
  const errors: string[] = [];
  for (const user of ['postgres', 'root', process.env.USER].filter((u): u is string => !!u)) {
    const c = new pg.Client({ host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), database: process.env.PGDATABASE ?? 'test', user, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
      client = c;
      break;
    } catch (err) {
      errors.push(`${user}: ${(err as Error).message}`);
    }
  }
  if (!client) throw new Error(`PostgreSQL not reachable at 127.0.0.1:5432/test (${errors.join('; ')})`);
  const db = client;
  await db.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
  // Temporary tables (this connection's own): benchmark runs of several worktrees share the database.
  await db.query('CREATE TEMP TABLE erx_bench_watch (person_id text NOT NULL, name text NOT NULL, dob text NOT NULL, restricted boolean NOT NULL)');
  await db.query('CREATE TEMP TABLE erx_bench_docs (number text NOT NULL, country text NOT NULL, person_id text NOT NULL)');
  for (let i = 0; i < persons.length; i += 500) {
    const chunk = persons.slice(i, i + 500);
    const values: unknown[] = [];
    const rows = chunk.map((p, j) => {
      values.push(p.personId, `${icaoLatin(p.surname)} ${icaoLatin(p.givenNames)}`, p.dateOfBirth, restricted.has(p.personId));
      return `($${4 * j + 1}, $${4 * j + 2}, $${4 * j + 3}, $${4 * j + 4})`;
    });
    await db.query(`INSERT INTO erx_bench_watch VALUES ${rows.join(',')}`, values);
    const docValues: unknown[] = [];
    const docRows: string[] = [];
    for (const p of chunk) {
      for (const d of p.documents) {
        docValues.push(d.number, d.country, p.personId);
        docRows.push(`($${docValues.length - 2}, $${docValues.length - 1}, $${docValues.length})`);
      }
    }
    if (docRows.length > 0) await db.query(`INSERT INTO erx_bench_docs VALUES ${docRows.join(',')}`, docValues);
  }
  await db.query('CREATE INDEX erx_bench_watch_trgm ON erx_bench_watch USING gin (name gin_trgm_ops)');
  await db.query('CREATE INDEX erx_bench_docs_number ON erx_bench_docs (number, country)');
  await db.query(`SET pg_trgm.similarity_threshold = ${TRGM_REFER}`);
  await db.query('ANALYZE erx_bench_watch');
  return {
    async screen(q) {
      if (q.documentNumber) {
        const country = q.documentCountry ?? q.nationality;
        const docs = await db.query(
          `SELECT w.restricted FROM erx_bench_docs d JOIN erx_bench_watch w USING (person_id) WHERE d.number = $1 ${country ? 'AND d.country = $2' : ''}`,
          country ? [q.documentNumber.toUpperCase(), country] : [q.documentNumber.toUpperCase()],
        );
        if (docs.rows.some((r) => r.restricted === true)) return 'hit';
      }
      if (!q.surname) return 'clear';
      const name = foldLatin(`${q.surname} ${q.givenNames ?? ''}`);
      const rows = q.dateOfBirth
        ? await db.query('SELECT similarity(name, $1) AS sim, restricted FROM erx_bench_watch WHERE name % $1 AND dob = $2 ORDER BY sim DESC LIMIT 20', [name, q.dateOfBirth])
        : await db.query('SELECT similarity(name, $1) AS sim, restricted FROM erx_bench_watch WHERE name % $1 ORDER BY sim DESC LIMIT 20', [name]);
      const counting = rows.rows.filter((r) => r.restricted === true).map((r) => Number(r.sim));
      if (counting.some((s) => s >= TRGM_HIT)) return 'hit';
      return counting.length > 0 ? 'refer' : 'clear';
    },
    async close() {
      await db.query('DROP TABLE IF EXISTS pg_temp.erx_bench_watch');
      await db.query('DROP TABLE IF EXISTS pg_temp.erx_bench_docs');
      await db.end();
    },
  };
}
