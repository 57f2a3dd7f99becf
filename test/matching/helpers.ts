/**
 * An in-memory candidate source with the replica's semantics: exact key lookups over the keys the
 * matcher stores per person, each lookup bounded by its limit. It records every call, so tests can
 * check that screening stays within its budget and never asks for anything but keys.
 */
import type { CandidateSource, ListedPerson, Matcher } from '../../src/matching/index.js';

export interface RecordingSource extends CandidateSource {
  calls: { kind: 'document' | 'keys'; keys: string[]; limit?: number; returned: number }[];
}

export function memorySource(persons: ListedPerson[], matcher: Pick<Matcher, 'indexKeys'>): RecordingSource {
  const index = new Map<string, ListedPerson[]>();
  for (const p of persons) {
    for (const k of matcher.indexKeys(p)) {
      const list = index.get(k) ?? [];
      list.push(p);
      index.set(k, list);
    }
  }
  const source: RecordingSource = {
    calls: [],
    async byDocument(number, country) {
      const found = persons.filter((p) => p.documents.some((d) => d.number === number && (!country || d.country === country)));
      source.calls.push({ kind: 'document', keys: [number], returned: found.length });
      return found;
    },
    async byNameKeys(keys, limit) {
      const seen = new Map<string, ListedPerson>();
      outer: for (const k of keys) {
        for (const p of (index.get(k) ?? []).slice(0, limit)) {
          if (!seen.has(p.personId)) seen.set(p.personId, p);
          if (seen.size >= limit) break outer;
        }
      }
      source.calls.push({ kind: 'keys', keys, limit, returned: seen.size });
      return [...seen.values()];
    },
  };
  return source;
}

let counter = 0;

/** A listed person; override any field. */
export function listed(overrides: Partial<ListedPerson> = {}): ListedPerson {
  counter++;
  return {
    personId: `M-${String(counter).padStart(5, '0')}`,
    surname: 'Иванов',
    givenNames: 'Юрий',
    patronymic: 'Сергеевич',
    dateOfBirth: '1999-03-04',
    documents: [{ type: 'passport', number: String(750000000 + counter), country: 'RUS' }],
    ...overrides,
  };
}
