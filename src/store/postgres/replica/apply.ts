/**
 * Applying verified batches to a PostgreSQL replica. The ordinary path runs in one transaction that
 * first locks the `cursor` row (SELECT … FOR UPDATE) and refuses (CursorMoved) unless it still holds
 * `expectedCursor`; a racing second caller waits for the lock, then sees the moved cursor and is
 * refused. The entity writes, applied-batch hashes, cursor, last hash and counters commit together.
 * Changes carry whole states, so a page is applied as the last state of each entity, in a few
 * set-based statements, which ends exactly where one-by-one application would. The relief lane (lifts
 * and deferments ahead of the cursor, cursor unmoved) and a contact's news take the same row lock.
 */
import type { BatchToApply } from '../../../exchange/planPage.js';
import { CursorMoved } from '../../../border/replicaStore.js';
import { isRelief } from '../../../exchange/protocol.js';
import { faultPointInBatch } from '../../../shared/faults.js';
import { inTransaction, type PoolClient } from '../db.js';
import type { ReplicaDb } from './replicaDb.js';
import { setMeta, writeState } from './rowWrites.js';
import { addWrite, noWrites, type StateWrites } from './stateWrites.js';

/** Locks the cursor row (the appliers' lock) and refuses unless it holds `expected`. */
export async function lockCursor(r: ReplicaDb, client: PoolClient, expected: number): Promise<void> {
  const row = (await client.query<{ value: string }>(`SELECT value FROM ${r.s}.meta WHERE key = 'cursor' FOR UPDATE`)).rows[0];
  const cursor = row === undefined ? null : Number(row.value);
  if (cursor !== expected) throw new CursorMoved(expected, cursor);
}

export async function applyBatches(r: ReplicaDb, expectedCursor: number, batches: BatchToApply[], registerSeq: number, registerTime: string): Promise<void> {
  // Like SQLite's synchronous=NORMAL: a commit lost in a power cut is refetched from the cursor.
  await r.cache.write(() => inTransaction(r.pool, 'BEGIN; SET LOCAL synchronous_commit TO off', async (client) => {
    await lockCursor(r, client, expectedCursor);
    const w = noWrites();
    let applied = 0;
    const hashes = new Map<number, string>();
    for (const batch of batches) {
      for (const change of batch.changes) addWrite(w, change.entity, change.key, change.body, change.seq);
      applied += batch.changes.length;
      hashes.set(batch.lastSeq, batch.hash);
    }
    await dropOlder(r, client, w);
    await writeState(r, client, '', w, false);
    // Crash tests: die here, with the page written but not committed (one fault point per batch).
    for (const batch of batches) if (batch.changes.length > 0) faultPointInBatch();
    if (hashes.size > 0) {
      await client.query(
        `INSERT INTO ${r.s}.applied_batches (last_seq, hash) SELECT * FROM unnest($1::bigint[], $2::text[])
         ON CONFLICT (last_seq) DO UPDATE SET hash = excluded.hash`,
        [[...hashes.keys()], [...hashes.values()]],
      );
    }
    const before = (await client.query<{ value: string }>(`SELECT value FROM ${r.s}.meta WHERE key = 'changesApplied'`)).rows[0];
    const last = batches[batches.length - 1];
    const now = last?.lastSeq ?? expectedCursor;
    const meta: Record<string, string | number> = {
      changesApplied: Number(before?.value ?? 0) + applied,
      registerSeq: Math.max(registerSeq, now),
    };
    if (last) Object.assign(meta, { cursor: last.lastSeq, lastHash: last.hash });
    if (now >= registerSeq) meta.dataAsOf = registerTime;
    await setMeta(r, client, '', meta);
  }));
}

/**
 * Keeps a row from going back to an older state: relief applied ahead of the sequence (applyRelief)
 * must survive the older changes of the same entity arriving in order.
 */
export async function dropOlder(r: ReplicaDb, client: PoolClient, w: StateWrites): Promise<void> {
  const s = r.s;
  for (const [table, key, map] of [['persons', 'person_id', w.persons], ['restrictions', 'restriction_id', w.restrictions], ['rules', 'rule_id', w.rules], ['offices', 'office_id', w.offices], ['attestations', 'ref', w.attestations]] as const) {
    if (map.size === 0) continue;
    const rows = (await client.query<{ id: string; seq: string }>(`SELECT ${key} AS id, seq FROM ${s}.${table} WHERE ${key} = ANY($1::text[])`, [[...map.keys()]])).rows;
    for (const row of rows) {
      const pending = map.get(row.id);
      if (pending && Number(row.seq) >= pending.seq) map.delete(row.id);
    }
  }
}

export async function applyRelief(r: ReplicaDb, expectedCursor: number, batches: BatchToApply[]): Promise<number> {
  return r.cache.write(() => inTransaction(r.pool, 'BEGIN', async (client) => {
    await lockCursor(r, client, expectedCursor);
    const w = noWrites();
    let applied = 0;
    for (const batch of batches) {
      for (const change of batch.changes) {
        if (change.seq <= expectedCursor || !isRelief(change)) continue;
        addWrite(w, change.entity, change.key, change.body, change.seq);
        applied++;
      }
    }
    await dropOlder(r, client, w);
    await writeState(r, client, '', w, false);
    return applied;
  }));
}

export async function knownBatchHashes(r: ReplicaDb, lastSeqs: number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  if (lastSeqs.length === 0) return out;
  const rows = (await r.pool.query<{ last_seq: number; hash: string }>(`SELECT last_seq, hash FROM ${r.s}.applied_batches WHERE last_seq = ANY($1::bigint[])`, [lastSeqs])).rows;
  for (const row of rows) out.set(row.last_seq, row.hash);
  return out;
}

export async function noteContact(r: ReplicaDb, registerSeq: number, registerTime: string, caughtUp: boolean): Promise<void> {
  await r.cache.write(() => inTransaction(r.pool, 'BEGIN', async (client) => {
    // Takes turns with appliers (same row lock), so the two never interleave their meta writes.
    await client.query(`SELECT 1 FROM ${r.s}.meta WHERE key = 'cursor' FOR UPDATE`);
    await setMeta(r, client, '', caughtUp ? { registerSeq, dataAsOf: registerTime } : { registerSeq });
  }));
}
