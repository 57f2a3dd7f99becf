/**
 * The register's person search keys (register/search.ts): replaced with every write of a person, and
 * filled once for persons stored before the keys existed.
 */
import type { Person } from '../../../domain/types.js';
import { personSearchKeys } from '../../../register/search.js';
import { type RegisterPersonRow as PersonRow, registerPersonOf as personOf } from '../../rows.js';
import type { RegisterDb } from './registerDb.js';

export function writeSearchKeys(r: RegisterDb, p: Person, replace = true): void {
  if (replace) r.stmt.deleteKeys.run(p.personId);
  for (const key of personSearchKeys(p)) r.stmt.putKey.run(key, p.personId);
}

/** Persons stored before the search keys existed get theirs once, in chunks (one transaction each). */
export function fillSearchKeys(r: RegisterDb): void {
  const missing = r.db.prepare<[], PersonRow>('SELECT p.* FROM persons p WHERE NOT EXISTS (SELECT 1 FROM person_keys k WHERE k.person_id = p.person_id) LIMIT 5000');
  for (;;) {
    const rows = missing.all();
    if (rows.length === 0) return;
    r.db.transaction(() => {
      for (const row of rows) writeSearchKeys(r, personOf(row), false);
    })();
  }
}
