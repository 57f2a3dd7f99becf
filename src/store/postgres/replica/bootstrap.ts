/**
 * Bootstrapping a PostgreSQL replica, all-or-nothing. The state is built into fresh `next_*` tables
 * (unlogged while loading: worthless until complete) and swapped in by DROP + RENAME inside one
 * transaction, the commit point of a bootstrap. Screening reads the old tables until that commit and
 * the new ones after it; it waits a moment during the swap, never sees a half-built state. `next_*`
 * tables left by a crash are dropped on open (dropNext), and a newer bootstrap abandons an older one.
 */
import type { BootstrapWriter } from '../../../border/replicaStore.js';
import { bootstrappedMeta } from '../../rows.js';
import { inTransaction } from '../db.js';
import type { ReplicaDb } from './replicaDb.js';
import { setMeta, writeState } from './rowWrites.js';
import { countTriggers, STATE_INDEXES, STATE_TABLES, stateIndexes, stateTables } from './schema.js';
import { writesOfRecords } from './stateWrites.js';

/** Drops the `next_*` tables of a bootstrap under way or left by a crash. */
export async function dropNext(r: ReplicaDb): Promise<void> {
  await r.pool.query(`DROP TABLE IF EXISTS ${STATE_TABLES.map((t) => `${r.s}.next_${t}`).join(', ')}`);
}

export async function beginBootstrap(r: ReplicaDb): Promise<BootstrapWriter> {
  const s = r.s;
  const generation = ++r.bootstrapGeneration;
  const current = () => {
    if (generation !== r.bootstrapGeneration) throw new Error('a newer bootstrap has started; this one is abandoned');
  };
  await dropNext(r);
  // Nothing in these tables matters until they are complete, so they skip the WAL while loading.
  await r.pool.query(stateTables(s, 'next_', true));
  return {
    write: async (records) => {
      current();
      if (records.length === 0) return;
      await inTransaction(r.pool, 'BEGIN', (client) => writeState(r, client, 'next_', writesOfRecords(records, 0), true));
    },
    finish: async (asOfSeq, registerTime, lastHash) => {
      current();
      await r.pool.query(stateIndexes(s, 'next_'));
      // Made durable (and WAL-logged for standbys) before it becomes the state.
      await r.pool.query(STATE_TABLES.map((t) => `ALTER TABLE ${s}.next_${t} SET LOGGED;`).join('\n'));
      await r.pool.query(`ANALYZE ${STATE_TABLES.map((t) => `${s}.next_${t}`).join(', ')}`);
      const counts = (
        await r.pool.query<{ persons: number; restrictions: number }>(
          `SELECT (SELECT count(*) FROM ${s}.next_persons) AS persons, (SELECT count(*) FROM ${s}.next_restrictions) AS restrictions`,
        )
      ).rows[0]!;
      // The swap is the commit point of a bootstrap.
      await r.cache.write(() => inTransaction(r.pool, 'BEGIN', async (client) => {
        current();
        await client.query(`LOCK TABLE ${STATE_TABLES.map((t) => `${s}.${t}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
        if (asOfSeq > 0) await client.query(`INSERT INTO ${s}.next_applied_batches (last_seq, hash) VALUES ($1, $2)`, [asOfSeq, lastHash]);
        await setMeta(r, client, 'next_', bootstrappedMeta(asOfSeq, registerTime, lastHash, r.matcher.version));
        await client.query(`DROP TABLE ${STATE_TABLES.map((t) => `${s}.${t}`).join(', ')}`);
        const renames = [
          ...STATE_TABLES.flatMap((t) => [
            `ALTER TABLE ${s}.next_${t} RENAME TO ${t};`,
            `ALTER TABLE ${s}.${t} RENAME CONSTRAINT next_${t}_pkey TO ${t}_pkey;`,
          ]),
          ...STATE_INDEXES.map((i) => `ALTER INDEX ${s}.next_${i} RENAME TO ${i};`),
        ];
        await client.query(renames.join('\n') + countTriggers(s));
        await client.query(
          `UPDATE ${s}.counts SET n = CASE name WHEN 'persons' THEN $1::bigint WHEN 'restrictions' THEN $2::bigint ELSE n END`,
          [counts.persons, counts.restrictions],
        );
      }));
    },
  };
}
