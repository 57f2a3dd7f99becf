/**
 * Reading a SQLite replica's state for screening and status: the state summary (one statement over
 * meta), candidates by document and by name keys, restrictions, persons and rules. Nothing here writes.
 */
import type { ReplicaState } from '../../../border/replicaStore.js';
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule } from '../../../exchange/protocol.js';
import type { ListedPerson } from '../../../matching/index.js';
import { replicaPersonOf as personOf, replicaRestrictionOf as restrictionOf } from '../../rows.js';
import type { ReplicaStateFile } from './stateFile.js';

export function readState(f: ReplicaStateFile): ReplicaState {
  // One statement for all of meta (a dozen rows), not one per value.
  const meta = new Map(f.stmt.allMeta.all().map((r) => [r.key, r.value]));
  const cursor = meta.get('cursor');
  const snapshotSeq = meta.get('snapshotSeq');
  return {
    cursor: cursor === undefined ? null : Number(cursor),
    lastHash: meta.get('lastHash') ?? '',
    registerSeq: Number(meta.get('registerSeq') ?? 0),
    dataAsOf: meta.get('dataAsOf') ?? null,
    changesApplied: Number(meta.get('changesApplied') ?? 0),
    snapshotSeq: snapshotSeq === undefined ? null : Number(snapshotSeq),
    persons: Number(meta.get('persons') ?? 0),
    restrictions: Number(meta.get('restrictions') ?? 0),
  };
}

export function byDocument(f: ReplicaStateFile, number: string, country?: string): ListedPerson[] {
  const rows = country ? f.stmt.byDocumentIn.all(number, country) : f.stmt.byDocument.all(number);
  // Only persons whose row holds the document: a row edited by hand may have left a stale documents row (clearPerson).
  return rows.map(personOf).filter((p) => p.documents.some((d) => d.number === number && (!country || d.country === country)));
}

/**
 * From this limit on, a stage's rows are read all at once rather than stepped through: the keys of a
 * screening's first stages hold far fewer persons than their limit (the budget left of
 * DEFAULT_MAX_CANDIDATES), so stepping saves no row there. Stepping costs more than the rows: every
 * better-sqlite3 iterator is a native object that the garbage collector's minor collections cannot
 * free, so each one was copied and promoted: in a loop of the first two stages' reads a minor collection
 * took about 12 ms stepping and under 1 ms reading all (issue #20; docs/benchmarks-matching.md). The small budgets
 * of the later stages (a dozen persons under some sixty keys) still step and stop at their limit.
 */
const READ_ALL_FROM = 100;

/**
 * The persons under these keys, keys in the order given (each key's persons in person_id order), each
 * person once, at most `limit`; a key whose person is gone (a hand edit) is skipped.
 */
export function byNameKeys(f: ReplicaStateFile, keys: string[], limit: number): ListedPerson[] {
  const out: ListedPerson[] = [];
  if (keys.length === 0 || limit <= 0) return out;
  const seen = new Set<string>();
  const json = JSON.stringify(keys);
  for (const row of limit >= READ_ALL_FROM ? f.stmt.byKeys.all(json) : f.stmt.byKeys.iterate(json)) {
    if (seen.has(row.person_id)) continue;
    seen.add(row.person_id);
    out.push(personOf(row));
    if (out.length >= limit) break;
  }
  return out;
}

export function restrictionsOf(f: ReplicaStateFile, personIds: string[]): BorderRestriction[] {
  return personIds.flatMap((id) => f.stmt.restrictionsOf.all(id).map(restrictionOf));
}

export function getPerson(f: ReplicaStateFile, personId: string): BorderPerson | undefined {
  const row = f.stmt.getPerson.get(personId);
  return row ? personOf(row) : undefined;
}

/** Every rule, from the table (the store caches this between writes). */
export function readRules(f: ReplicaStateFile): BorderRule[] {
  return f.stmt.allRules.all().map((r) => JSON.parse(r.body) as BorderRule);
}

/** Every office, from the table (the store caches this between writes). */
export function readOffices(f: ReplicaStateFile): BorderOffice[] {
  return f.stmt.allOffices.all().map((r) => JSON.parse(r.body) as BorderOffice);
}

/** Every attestation (confirmed non-match), from the table (the store caches this between writes). */
export function readAttestations(f: ReplicaStateFile): BorderAttestation[] {
  return f.stmt.allAttestations.all().map((r) => JSON.parse(r.body) as BorderAttestation);
}
