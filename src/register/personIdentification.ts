/**
 * Finding a person as the self-check does (border/selfCheck.ts): a document number and a full date of
 * birth must both match one listed person exactly. Used by the public contest routes, which answer
 * "not found" the same way whether nobody holds the document, someone else holds it, or the date is
 * wrong — and, by running the same lookups and waiting until a floor, in the same time.
 */
import type { Person } from '../domain/types.js';
import type { RegisterStore } from './registerStore.js';
import { documentKey } from './search.js';

/** No public contest answer leaves before this many milliseconds after the request arrived. */
export const IDENTIFY_FLOOR_MS = 40;

const normalised = (n: string) => n.toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Does `person` hold this document and this date of birth? */
export const isThePerson = (person: Person | undefined, documentNumber: string, dateOfBirth: string): boolean =>
  person !== undefined && person.dateOfBirth === dateOfBirth && person.documents.some((d) => normalised(d.number) === normalised(documentNumber));

/** The one person holding both values, or undefined (none, or more than one: then nobody is sure). */
export async function identify(store: RegisterStore, documentNumber: string, dateOfBirth: string): Promise<Person | undefined> {
  const holders = await store.searchPersons([documentKey(documentNumber)], 10);
  const me = holders.filter((p) => isThePerson(p, documentNumber, dateOfBirth));
  return me.length === 1 ? me[0] : undefined;
}

/** Waits until `floorMs` after `startedAt` (performance.now()), so what a lookup cost does not show. */
export async function answerNoSoonerThan(startedAt: number, floorMs: number): Promise<void> {
  const left = startedAt + floorMs - performance.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}
