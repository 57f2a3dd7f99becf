/**
 * What a write to a PostgreSQL replica's state will leave: the final state of each entity it touches
 * (null: gone) with the seq that set it, gathered from changes or records so that a page is written
 * in a few set-based statements and ends exactly where one-by-one application would.
 */
import { recordKey } from '../../../exchange/digest.js';
import type { BorderAttestation, BorderOffice, BorderPerson, BorderRestriction, BorderRule, SnapshotRecord } from '../../../exchange/protocol.js';

/** The final state of each entity a write touches (null: gone), with the seq that set it. */
export interface StateWrites {
  persons: Map<string, { body: BorderPerson | null; seq: number }>;
  restrictions: Map<string, { body: BorderRestriction | null; seq: number }>;
  rules: Map<string, { body: BorderRule | null; seq: number }>;
  offices: Map<string, { body: BorderOffice | null; seq: number }>;
  attestations: Map<string, { body: BorderAttestation | null; seq: number }>;
}

export const noWrites = (): StateWrites => ({ persons: new Map(), restrictions: new Map(), rules: new Map(), offices: new Map(), attestations: new Map() });

export function addWrite(w: StateWrites, entity: SnapshotRecord['type'], key: string, body: SnapshotRecord['body'] | null, seq: number): void {
  if (entity === 'person') w.persons.set(key, { body: body as BorderPerson | null, seq });
  else if (entity === 'restriction') w.restrictions.set(key, { body: body as BorderRestriction | null, seq });
  else if (entity === 'office') w.offices.set(key, { body: body as BorderOffice | null, seq });
  else if (entity === 'attestation') w.attestations.set(key, { body: body as BorderAttestation | null, seq });
  else w.rules.set(key, { body: body as BorderRule | null, seq });
}

export function writesOfRecords(records: SnapshotRecord[], seq: number): StateWrites {
  const w = noWrites();
  for (const r of records) addWrite(w, r.type, recordKey(r).slice(r.type.length + 1), r.body, seq);
  return w;
}

