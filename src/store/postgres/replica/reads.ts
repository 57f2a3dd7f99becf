/**
 * Reading a PostgreSQL replica's state for screening and status: the state summary (one statement over
 * meta and the trigger-kept counts, no table scan), candidates by document and by name keys,
 * restrictions, persons and rules. Nothing here writes; the facade waits for `ready` before each call.
 */
import type { ReplicaState } from '../../../border/replicaStore.js';
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule } from '../../../exchange/protocol.js';
import type { ListedPerson } from '../../../matching/index.js';
import { type ReplicaPersonRow as PersonRow, type ReplicaRestrictionRow as RestrictionRow, replicaPersonOf as personOf, replicaRestrictionOf as restrictionOf } from '../../rows.js';
import type { PoolClient } from '../db.js';
import type { ReplicaDb } from './replicaDb.js';

/** The state summary: meta and the trigger-kept counts in one statement (the store caches it between writes). */
export async function readState(r: ReplicaDb): Promise<ReplicaState> {
  const s = r.s;
  const row = (
    await r.pool.query<{ meta: Record<string, string>; persons: number; restrictions: number }>(
      `SELECT (SELECT coalesce(json_object_agg(key, value), '{}'::json) FROM ${s}.meta) AS meta,
              (SELECT n FROM ${s}.counts WHERE name = 'persons') AS persons,
              (SELECT n FROM ${s}.counts WHERE name = 'restrictions') AS restrictions`,
    )
  ).rows[0]!;
  const m = row.meta;
  return {
    cursor: m.cursor === undefined ? null : Number(m.cursor),
    lastHash: m.lastHash ?? '',
    registerSeq: Number(m.registerSeq ?? 0),
    dataAsOf: m.dataAsOf ?? null,
    changesApplied: Number(m.changesApplied ?? 0),
    snapshotSeq: m.snapshotSeq === undefined ? null : Number(m.snapshotSeq),
    persons: row.persons,
    restrictions: row.restrictions,
  };
}

/** Every office, from the table (the store caches this between writes), on the pool or inside a transaction. */
export async function readOffices(r: ReplicaDb, client: Pick<PoolClient, 'query'>): Promise<BorderOffice[]> {
  return (await client.query<{ body: string }>(`SELECT body FROM ${r.s}.offices ORDER BY office_id`)).rows.map((row) => JSON.parse(row.body) as BorderOffice);
}

/** Every rule, from the table (the store caches this between writes), on the pool or inside a transaction. */
export async function readRules(r: ReplicaDb, client: Pick<PoolClient, 'query'>): Promise<BorderRule[]> {
  return (await client.query<{ body: string }>(`SELECT body FROM ${r.s}.rules ORDER BY rule_id`)).rows.map((row) => JSON.parse(row.body) as BorderRule);
}

export async function byDocument(r: ReplicaDb, number: string, country?: string): Promise<ListedPerson[]> {
  const s = r.s;
  const rows = country
    ? await r.pool.query<PersonRow>(
        `SELECT p.* FROM ${s}.documents d JOIN ${s}.persons p ON p.person_id = d.person_id WHERE d.number = $1 AND d.country = $2 ORDER BY d.person_id`,
        [number, country],
      )
    : await r.pool.query<PersonRow>(
        `SELECT p.* FROM ${s}.documents d JOIN ${s}.persons p ON p.person_id = d.person_id WHERE d.number = $1 ORDER BY d.country, d.person_id`,
        [number],
      );
  // Only persons whose row holds the document: a row edited by hand may have left a stale documents row (clearPersons).
  return rows.rows.map(personOf).filter((p) => p.documents.some((d) => d.number === number && (!country || d.country === country)));
}

/** Up to `limit` persons, keys in the order given, each person once. */
export async function byNameKeys(r: ReplicaDb, keys: string[], limit: number): Promise<ListedPerson[]> {
  if (keys.length === 0 || limit <= 0) return [];
  const s = r.s;
  // Up to `limit` persons per key, keys in the order given (as SQLite asks them one by one).
  const rows = (
    await r.pool.query<PersonRow>(
      `SELECT p.* FROM unnest($1::text[]) WITH ORDINALITY AS q(key, ord)
         CROSS JOIN LATERAL (SELECT k.person_id FROM ${s}.name_keys k WHERE k.key = q.key ORDER BY k.person_id LIMIT $2) k
         JOIN ${s}.persons p ON p.person_id = k.person_id
       ORDER BY q.ord, k.person_id`,
      [keys, limit],
    )
  ).rows;
  const seen = new Map<string, ListedPerson>();
  for (const row of rows) {
    if (!seen.has(row.person_id)) seen.set(row.person_id, personOf(row));
    if (seen.size >= limit) break;
  }
  return [...seen.values()];
}

export async function restrictionsOf(r: ReplicaDb, personIds: string[]): Promise<BorderRestriction[]> {
  if (personIds.length === 0) return [];
  const rows = (
    await r.pool.query<RestrictionRow>(`SELECT * FROM ${r.s}.restrictions WHERE person_id = ANY($1::text[]) ORDER BY person_id, restriction_id`, [personIds])
  ).rows;
  const byPerson = new Map<string, BorderRestriction[]>();
  for (const row of rows) {
    const list = byPerson.get(row.person_id) ?? [];
    list.push(restrictionOf(row));
    byPerson.set(row.person_id, list);
  }
  return personIds.flatMap((id) => byPerson.get(id) ?? []);
}

export async function getPerson(r: ReplicaDb, personId: string): Promise<BorderPerson | undefined> {
  const row = (await r.pool.query<PersonRow>(`SELECT * FROM ${r.s}.persons WHERE person_id = $1`, [personId])).rows[0];
  return row ? personOf(row) : undefined;
}

/** Every attestation (confirmed non-match), from the table (the store caches this between writes). */
export async function readAttestations(r: ReplicaDb, client: Pick<PoolClient, 'query'>): Promise<BorderAttestation[]> {
  return (await client.query<{ body: string }>(`SELECT body FROM ${r.s}.attestations ORDER BY ref`)).rows.map((row) => JSON.parse(row.body) as BorderAttestation);
}
