/**
 * Writing the replicated border view into a PostgreSQL replica's rows: meta values, persons with their
 * documents and name keys, restrictions, rules and offices, each kind in a few set-based statements (unnest
 * arrays) under a name prefix ('' live, 'next_' for a bootstrap being built). Shared by the bootstrap,
 * the apply path, repair and the reindex; the caller holds the transaction on `client`.
 */
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule } from '../../../exchange/protocol.js';
import { type ReplicaPersonRow as PersonRow, encodeDocuments, encodeDeferments, indexEntriesOf } from '../../rows.js';
import type { PoolClient } from '../db.js';
import type { ReplicaDb } from './replicaDb.js';
import type { StateWrites } from './stateWrites.js';

/** Sets meta values (one upsert of them all) in the tables under prefix `p`. */
export async function setMeta(r: ReplicaDb, client: PoolClient, p: string, values: Record<string, string | number>): Promise<void> {
  const entries = Object.entries(values);
  await client.query(
    `INSERT INTO ${r.s}.${p}meta (key, value) SELECT * FROM unnest($1::text[], $2::text[])
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [entries.map(([k]) => k), entries.map(([, v]) => String(v))],
  );
}

/** Adds the persons' name keys, as the matcher computes them, to the tables under prefix `p`. */
export async function insertKeys(r: ReplicaDb, client: PoolClient, p: string, persons: BorderPerson[]): Promise<void> {
  const keys: string[] = [];
  const ids: string[] = [];
  for (const person of persons) {
    for (const key of r.matcher.indexKeys(person)) {
      keys.push(key);
      ids.push(person.personId);
    }
  }
  if (keys.length === 0) return;
  await client.query(
    `INSERT INTO ${r.s}.${p}name_keys (key, person_id) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [keys, ids],
  );
}

/**
 * Deletes the documents and name keys of these persons' stored rows (before they are replaced or
 * deleted). There is no index by person on those tables: the old rows are read by primary key, their
 * documents and keys recomputed with the matcher, and only rows with those numbers and keys (and
 * one of these persons) are deleted, through the primary keys. A row edited by hand behind the
 * replica's back leaves the rows of its earlier contents behind; they are harmless: a stale key only
 * makes the person a candidate once more, scored on the real row, and byDocument returns a person
 * only if the row holds the document (anti-entropy repairs the row itself).
 */
export async function clearPersons(r: ReplicaDb, client: PoolClient, p: string, ids: string[]): Promise<void> {
  const s = r.s;
  const rows = (await client.query<PersonRow>(`SELECT * FROM ${s}.${p}persons WHERE person_id = ANY($1::text[])`, [ids])).rows;
  const numbers = new Set<string>();
  const keys = new Set<string>();
  for (const row of rows) {
    const old = indexEntriesOf(row, (p) => r.matcher.indexKeys(p));
    for (const d of old.documents) numbers.add(d.number);
    for (const k of old.keys) keys.add(k);
  }
  const found = rows.map((r) => r.person_id);
  if (numbers.size > 0) await client.query(`DELETE FROM ${s}.${p}documents WHERE number = ANY($1::text[]) AND person_id = ANY($2::text[])`, [[...numbers], found]);
  if (keys.size > 0) await client.query(`DELETE FROM ${s}.${p}name_keys WHERE key = ANY($1::text[]) AND person_id = ANY($2::text[])`, [[...keys], found]);
}

/**
 * Writes final entity states in a few set-based statements. `fresh`: the bootstrap's empty tables,
 * with no old documents or keys to clear first.
 */
export async function writeState(r: ReplicaDb, client: PoolClient, p: string, w: StateWrites, fresh: boolean): Promise<void> {
  const s = r.s;
  const goneP = [...w.persons].filter(([, v]) => v.body === null).map(([k]) => k);
  const keptP = new Map<string, { body: BorderPerson; seq: number }>();
  for (const { body, seq } of w.persons.values()) if (body) keptP.set(body.personId, { body, seq });
  const goneR = [...w.restrictions].filter(([, v]) => v.body === null).map(([k]) => k);
  const keptR = new Map<string, { body: BorderRestriction; seq: number }>();
  for (const { body, seq } of w.restrictions.values()) if (body) keptR.set(body.restrictionId, { body, seq });

  const cleared = fresh ? goneP : [...goneP, ...keptP.keys()];
  if (cleared.length > 0) await clearPersons(r, client, p, cleared);
  if (goneP.length > 0) await client.query(`DELETE FROM ${s}.${p}persons WHERE person_id = ANY($1::text[])`, [goneP]);
  if (keptP.size > 0) {
    const ps = [...keptP.values()];
    await client.query(
      `INSERT INTO ${s}.${p}persons (person_id, surname, given_names, patronymic, date_of_birth, documents, deferments, seq)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[])
       ON CONFLICT (person_id) DO UPDATE SET surname = excluded.surname, given_names = excluded.given_names,
         patronymic = excluded.patronymic, date_of_birth = excluded.date_of_birth, documents = excluded.documents,
         deferments = excluded.deferments, seq = excluded.seq`,
      [
        ps.map((x) => x.body.personId),
        ps.map((x) => x.body.surname),
        ps.map((x) => x.body.givenNames),
        ps.map((x) => x.body.patronymic ?? null),
        ps.map((x) => x.body.dateOfBirth),
        ps.map((x) => encodeDocuments(x.body.documents)),
        ps.map((x) => encodeDeferments(x.body.deferments)),
        ps.map((x) => x.seq),
      ],
    );
    const docs = ps.flatMap((x) => x.body.documents.map((d) => [d.number, d.country, x.body.personId] as const));
    if (docs.length > 0) {
      await client.query(
        `INSERT INTO ${s}.${p}documents (number, country, person_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`,
        [docs.map((d) => d[0]), docs.map((d) => d[1]), docs.map((d) => d[2])],
      );
    }
    await insertKeys(r, client, p, ps.map((x) => x.body));
  }
  if (goneR.length > 0) await client.query(`DELETE FROM ${s}.${p}restrictions WHERE restriction_id = ANY($1::text[])`, [goneR]);
  if (keptR.size > 0) {
    const rs = [...keptR.values()];
    await client.query(
      `INSERT INTO ${s}.${p}restrictions (restriction_id, person_id, kind, basis, office, in_force_from, lifted_at, lift_reason, seq, expires_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[], $10::text[])
       ON CONFLICT (restriction_id) DO UPDATE SET person_id = excluded.person_id, kind = excluded.kind, basis = excluded.basis,
         office = excluded.office, in_force_from = excluded.in_force_from, lifted_at = excluded.lifted_at,
         lift_reason = excluded.lift_reason, seq = excluded.seq, expires_at = excluded.expires_at`,
      [
        rs.map((x) => x.body.restrictionId),
        rs.map((x) => x.body.personId),
        rs.map((x) => x.body.kind),
        rs.map((x) => x.body.basis),
        rs.map((x) => x.body.office),
        rs.map((x) => x.body.inForceFrom),
        rs.map((x) => x.body.liftedAt ?? null),
        rs.map((x) => x.body.liftReason ?? null),
        rs.map((x) => x.seq),
        rs.map((x) => x.body.expiresAt ?? null),
      ],
    );
  }
  const goneRules = [...w.rules].filter(([, v]) => v.body === null).map(([k]) => k);
  const keptRules = [...w.rules.values()].filter((v): v is { body: BorderRule; seq: number } => v.body !== null);
  if (goneRules.length > 0) await client.query(`DELETE FROM ${s}.${p}rules WHERE rule_id = ANY($1::text[])`, [goneRules]);
  if (keptRules.length > 0) {
    await client.query(
      `INSERT INTO ${s}.${p}rules (rule_id, body, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (rule_id) DO UPDATE SET body = excluded.body, seq = excluded.seq`,
      [keptRules.map((x) => x.body.ruleId), keptRules.map((x) => JSON.stringify(x.body)), keptRules.map((x) => x.seq)],
    );
  }
  const goneOffices = [...w.offices].filter(([, v]) => v.body === null).map(([k]) => k);
  const keptOffices = [...w.offices.values()].filter((v): v is { body: BorderOffice; seq: number } => v.body !== null);
  if (goneOffices.length > 0) await client.query(`DELETE FROM ${s}.${p}offices WHERE office_id = ANY($1::text[])`, [goneOffices]);
  if (keptOffices.length > 0) {
    await client.query(
      `INSERT INTO ${s}.${p}offices (office_id, body, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (office_id) DO UPDATE SET body = excluded.body, seq = excluded.seq`,
      [keptOffices.map((x) => x.body.officeId), keptOffices.map((x) => JSON.stringify(x.body)), keptOffices.map((x) => x.seq)],
    );
  }
  const goneA = [...w.attestations].filter(([, v]) => v.body === null).map(([k]) => k);
  const keptA = [...w.attestations.values()].filter((v): v is { body: BorderAttestation; seq: number } => v.body !== null);
  if (goneA.length > 0) await client.query(`DELETE FROM ${s}.${p}attestations WHERE ref = ANY($1::text[])`, [goneA]);
  if (keptA.length > 0) {
    await client.query(
      `INSERT INTO ${s}.${p}attestations (ref, body, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (ref) DO UPDATE SET body = excluded.body, seq = excluded.seq`,
      [keptA.map((x) => x.body.ref), keptA.map((x) => JSON.stringify(x.body)), keptA.map((x) => x.seq)],
    );
  }
}
