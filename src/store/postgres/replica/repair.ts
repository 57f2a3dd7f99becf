/**
 * Keeping a PostgreSQL replica's state right when it went wrong behind its back: bucket digests for
 * anti-entropy (computed from the rows in one read snapshot, never from a cache, by the same pure
 * functions as on SQLite, so both backends agree bit for bit), repairing whole buckets from the
 * register's records under the appliers' lock, and rebuilding the name index when the matcher's
 * version changes.
 */
import type { RepairReport } from '../../../border/replicaStore.js';
import { addRecord, bucketOfKey, type BucketDigests, emptyDigests, planRepair } from '../../../exchange/digest.js';
import type { SnapshotRecord } from '../../../exchange/protocol.js';
import { canonicalJson } from '../../../shared/canonical.js';
import { type ReplicaPersonRow as PersonRow, type ReplicaRestrictionRow as RestrictionRow, replicaPersonOf as personOf, replicaRestrictionOf as restrictionOf } from '../../rows.js';
import { fetchChunks, inTransaction } from '../db.js';
import { lockCursor } from './apply.js';
import { readAttestations, readOffices, readRules } from './reads.js';
import type { ReplicaDb } from './replicaDb.js';
import { insertKeys, setMeta, writeState } from './rowWrites.js';
import { addWrite, writesOfRecords } from './stateWrites.js';

/** Name keys depend on the matcher; a new matcher version recomputes them from the stored persons. */
export async function reindexIfMatcherChanged(r: ReplicaDb): Promise<void> {
  const s = r.s;
  await r.cache.write(() => inTransaction(r.pool, 'BEGIN', async (client) => {
    // Processes opening the same replica at once take turns; the cursor row lock keeps appliers out.
    await client.query("SELECT pg_advisory_xact_lock(hashtext('erx-reindex'), hashtext($1))", [s]);
    await client.query(`SELECT 1 FROM ${s}.meta WHERE key = 'cursor' FOR UPDATE`);
    const current = (await client.query<{ value: string }>(`SELECT value FROM ${s}.meta WHERE key = 'matcher'`)).rows[0]?.value;
    if (current === r.matcher.version) return;
    const total = (await client.query<{ n: number }>(`SELECT n FROM ${s}.counts WHERE name = 'persons'`)).rows[0]!.n;
    await client.query(`DELETE FROM ${s}.name_keys`);
    let done = 0;
    for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons ORDER BY person_id`, [], r.fetchRows)) {
      await insertKeys(r, client, '', rows.map(personOf));
      const before = done;
      done += rows.length;
      if (Math.floor(done / 10_000) > Math.floor(before / 10_000)) r.onReindex?.(done, total);
    }
    await setMeta(r, client, '', { matcher: r.matcher.version });
  }));
}

export async function digest(r: ReplicaDb): Promise<BucketDigests> {
  const s = r.s;
  return inTransaction(r.pool, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', async (client) => {
    const d = emptyDigests();
    for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons`, [], r.fetchRows)) {
      for (const row of rows) addRecord(d, { type: 'person', body: personOf(row) });
    }
    for await (const rows of fetchChunks<RestrictionRow>(client, `SELECT * FROM ${s}.restrictions`, [], r.fetchRows)) {
      for (const row of rows) addRecord(d, { type: 'restriction', body: restrictionOf(row) });
    }
    for (const rule of await readRules(r, client)) addRecord(d, { type: 'rule', body: rule });
    for (const office of await readOffices(r, client)) addRecord(d, { type: 'office', body: office });
    for (const a of await readAttestations(r, client)) addRecord(d, { type: 'attestation', body: a });
    return d;
  });
}

export async function repairBuckets(r: ReplicaDb, expectedCursor: number, buckets: number[], records: SnapshotRecord[]): Promise<RepairReport> {
  const s = r.s;
  return r.cache.write(() => inTransaction(r.pool, 'BEGIN', async (client) => {
    await lockCursor(r, client, expectedCursor);
    const wanted = new Set(buckets);
    const before = new Map<string, string>();
    // Buckets are computed from each row's identity (as in digest()), not stored: a row written by
    // hand must still be found and judged.
    for await (const rows of fetchChunks<PersonRow>(client, `SELECT * FROM ${s}.persons`, [], r.fetchRows)) {
      for (const row of rows) {
        const key = `person:${row.person_id}`;
        if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(personOf(row)));
      }
    }
    for await (const rows of fetchChunks<RestrictionRow>(client, `SELECT * FROM ${s}.restrictions`, [], r.fetchRows)) {
      for (const row of rows) {
        const key = `restriction:${row.restriction_id}`;
        if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(restrictionOf(row)));
      }
    }
    for (const rule of await readRules(r, client)) {
      const key = `rule:${rule.ruleId}`;
      if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(rule));
    }
    for (const office of await readOffices(r, client)) {
      const key = `office:${office.officeId}`;
      if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(office));
    }
    for (const a of await readAttestations(r, client)) {
      const key = `attestation:${a.ref}`;
      if (wanted.has(bucketOfKey(key))) before.set(key, canonicalJson(a));
    }
    const plan = planRepair(buckets, before, records);
    const w = writesOfRecords(plan.write, expectedCursor);
    for (const key of plan.remove) {
      const at = key.indexOf(':');
      addWrite(w, key.slice(0, at) as SnapshotRecord['type'], key.slice(at + 1), null, expectedCursor);
    }
    await writeState(r, client, '', w, false);
    return plan.report;
  }));
}
