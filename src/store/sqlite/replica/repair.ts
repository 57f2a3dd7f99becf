/**
 * Keeping a SQLite replica's state right when it went wrong behind its back: bucket digests for
 * anti-entropy (computed from the rows, never from a cache), repairing whole buckets from the
 * register's records, and rebuilding the name index when the matcher's version changes.
 */
import type { RepairReport } from '../../../border/replicaStore.js';
import { addRecord, bucketOfKey, type BucketDigests, emptyDigests, planRepair } from '../../../exchange/digest.js';
import type { BorderAttestation, BorderOffice, BorderRule, SnapshotRecord } from '../../../exchange/protocol.js';
import { canonicalJson } from '../../../shared/canonical.js';
import { type ReplicaPersonRow as PersonRow, replicaPersonOf as personOf, replicaRestrictionOf as restrictionOf } from '../../rows.js';
import { checkCursor } from './apply.js';
import { readAttestations, readOffices, readRules } from './reads.js';
import { deletePerson, writeRecord } from './rowWrites.js';
import type { ReplicaStateFile } from './stateFile.js';

export function digest(f: ReplicaStateFile): BucketDigests {
  const d = emptyDigests();
  for (const row of f.stmt.allPersons.iterate()) addRecord(d, { type: 'person', body: personOf(row) });
  for (const row of f.stmt.allRestrictions.iterate()) addRecord(d, { type: 'restriction', body: restrictionOf(row) });
  // From the table, not the cache: anti-entropy is there to find what was changed behind this object's back.
  for (const rule of readRules(f)) addRecord(d, { type: 'rule', body: rule });
  for (const office of readOffices(f)) addRecord(d, { type: 'office', body: office });
  for (const attestation of readAttestations(f)) addRecord(d, { type: 'attestation', body: attestation });
  return d;
}

export function repairBuckets(f: ReplicaStateFile, expectedCursor: number, buckets: number[], records: SnapshotRecord[]): RepairReport {
  const s = f.stmt;
  return f.write(() => {
    checkCursor(f, expectedCursor);
    const wanted = new Set(buckets);
    const before = new Map<string, string>();
    // Buckets are computed from each row's identity (as in digest()), not stored: a row written by
    // hand must still be found and judged.
    for (const row of s.allPersons.iterate()) {
      if (wanted.has(bucketOfKey(`person:${row.person_id}`))) before.set(`person:${row.person_id}`, canonicalJson(personOf(row)));
    }
    for (const row of s.allRestrictions.iterate()) {
      if (wanted.has(bucketOfKey(`restriction:${row.restriction_id}`))) before.set(`restriction:${row.restriction_id}`, canonicalJson(restrictionOf(row)));
    }
    for (const row of s.allRules.all()) {
      const rule = JSON.parse(row.body) as BorderRule;
      if (wanted.has(bucketOfKey(`rule:${rule.ruleId}`))) before.set(`rule:${rule.ruleId}`, canonicalJson(rule));
    }
    for (const row of s.allOffices.all()) {
      const office = JSON.parse(row.body) as BorderOffice;
      if (wanted.has(bucketOfKey(`office:${office.officeId}`))) before.set(`office:${office.officeId}`, canonicalJson(office));
    }
    for (const row of s.allAttestations.all()) {
      const a = JSON.parse(row.body) as BorderAttestation;
      if (wanted.has(bucketOfKey(`attestation:${a.ref}`))) before.set(`attestation:${a.ref}`, canonicalJson(a));
    }
    const plan = planRepair(buckets, before, records);
    for (const record of plan.write) writeRecord(s, f.matcher, record, expectedCursor);
    for (const key of plan.remove) {
      const id = key.slice(key.indexOf(':') + 1);
      if (key.startsWith('person:')) deletePerson(s, f.matcher, id);
      else if (key.startsWith('rule:')) s.deleteRule.run(id);
      else if (key.startsWith('office:')) s.deleteOffice.run(id);
      else if (key.startsWith('attestation:')) s.deleteAttestation.run(id);
      else s.deleteRestriction.run(id);
    }
    return plan.report;
  });
}

/** Name keys depend on the matcher; a new matcher version recomputes them from the stored persons. */
/** Persons read per page while the name keys are rebuilt. */
const REINDEX_PAGE = 10_000;

export function reindexIfMatcherChanged(f: ReplicaStateFile): void {
  if (f.meta('matcher') === f.matcher.version) return;
  const total = f.stmt.countPersons.get()!.n;
  // Keys are written in no order: a bootstrap's page cache for the while.
  f.db.pragma(`cache_size = ${-f.bootstrapCache}`);
  try {
    f.write(() => {
      f.db.exec('DELETE FROM name_keys');
      let done = 0;
      // In pages by person_id: better-sqlite3 runs no other statement on a connection while one is
      // being iterated ("This database connection is busy"), so the keys cannot be written from inside
      // an iteration over all persons, and ten million persons do not fit in one list.
      const page = f.db.prepare<[string], PersonRow>(`SELECT * FROM persons WHERE person_id > ? ORDER BY person_id LIMIT ${REINDEX_PAGE}`);
      for (let after = '', rows = page.all(after); rows.length > 0; after = rows[rows.length - 1]!.person_id, rows = page.all(after)) {
        for (const row of rows) {
          for (const key of f.matcher.indexKeys(personOf(row))) f.stmt.putKey.run(key, row.person_id);
          if (++done % 10_000 === 0) f.options.onReindex?.(done, total);
        }
      }
      f.stmt.setMeta.run('matcher', f.matcher.version);
    });
  } finally {
    f.db.pragma(`cache_size = ${-f.stateCache(f.statePath)}`);
  }
}
