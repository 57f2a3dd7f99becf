/**
 * The register's person search keys on PostgreSQL (`person_keys`): computed in JavaScript from a
 * person (register/search.ts), replaced whole whenever the person is written, and filled once at open
 * for persons stored before the keys existed.
 */
import type { Person } from '../../../domain/types.js';
import { personSearchKeys } from '../../../register/search.js';
import { type RegisterPersonRow as PersonRow, registerPersonOf as personOf } from '../../rows.js';
import { inTransaction, type PoolClient } from '../db.js';
import type { RegisterDb } from './registerDb.js';

/** Replaces these persons' search keys, inside the caller's transaction on `client`. */
export async function writeSearchKeys(db: RegisterDb, client: PoolClient, persons: Person[]): Promise<void> {
  const pairs = persons.flatMap((p) => personSearchKeys(p).map((key) => [key, p.personId] as const));
  await client.query(`DELETE FROM ${db.s}.person_keys WHERE person_id = ANY($1::text[])`, [persons.map((p) => p.personId)]);
  await client.query(`INSERT INTO ${db.s}.person_keys (key, person_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    pairs.map((x) => x[0]),
    pairs.map((x) => x[1]),
  ]);
}

/** Persons stored before the search keys existed get theirs once, in chunks (one transaction each). */
export async function fillSearchKeys(db: RegisterDb): Promise<void> {
  for (;;) {
    const done = await inTransaction(db.pool, 'BEGIN', async (client) => {
      const rows = (
        await client.query<PersonRow>(`SELECT p.* FROM ${db.s}.persons p WHERE NOT EXISTS (SELECT 1 FROM ${db.s}.person_keys k WHERE k.person_id = p.person_id) LIMIT 5000`)
      ).rows;
      if (rows.length > 0) await writeSearchKeys(db, client, rows.map(personOf));
      return rows.length === 0;
    });
    if (done) return;
  }
}
