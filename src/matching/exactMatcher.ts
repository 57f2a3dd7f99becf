/**
 * The first matcher: exact document number + issuing state, and exact name + date of birth after both
 * sides are brought to ICAO 9303 Latin capitals (ИВАНОВ ЮРИЙ = IVANOV IURII). No fuzziness yet.
 */
import { icaoLatin } from './latin.js';
import type { CandidateSource, Feature, ListedPerson, Matcher, MatchedField, PersonMatch, Traveller } from './types.js';

const MAX_CANDIDATES = 200;

function firstToken(s: string): string {
  return s.split(' ')[0] ?? '';
}

function nameKey(surname: string, givenNames: string): string {
  return `n:${icaoLatin(surname)}|${firstToken(icaoLatin(givenNames))}`;
}

function score(traveller: Traveller, person: ListedPerson): PersonMatch | null {
  const features: Feature[] = [];
  const matchedOn: MatchedField[] = [];
  const number = traveller.documentNumber?.toUpperCase();
  const country = traveller.documentCountry ?? traveller.nationality;
  const doc = number ? person.documents.find((d) => d.number === number && (!country || d.country === country)) : undefined;
  if (doc) {
    matchedOn.push('documentNumber');
    features.push({ feature: 'documentNumber', query: `${number} ${country ?? ''}`.trim(), candidate: `${doc.number} ${doc.country}`, similarity: 1, detail: `${doc.type} number identical` });
  }
  if (traveller.surname && traveller.givenNames) {
    const q = nameKey(traveller.surname, traveller.givenNames);
    const c = nameKey(person.surname, person.givenNames);
    if (q === c) {
      matchedOn.push('name');
      features.push({ feature: 'surname', query: icaoLatin(traveller.surname), candidate: `${person.surname} → ${icaoLatin(person.surname)}`, similarity: 1, detail: 'identical under ICAO 9303' });
      features.push({ feature: 'givenNames', query: icaoLatin(traveller.givenNames), candidate: `${person.givenNames} → ${icaoLatin(person.givenNames)}`, similarity: 1, detail: 'first given name identical under ICAO 9303' });
    }
  }
  const dobEqual = !!traveller.dateOfBirth && traveller.dateOfBirth === person.dateOfBirth;
  if (dobEqual) {
    matchedOn.push('dateOfBirth');
    features.push({ feature: 'dateOfBirth', query: traveller.dateOfBirth!, candidate: person.dateOfBirth, similarity: 1, detail: 'identical' });
  }
  const byDocument = matchedOn.includes('documentNumber');
  const byIdentity = matchedOn.includes('name') && dobEqual;
  if (!byDocument && !byIdentity) return null;
  return {
    personId: person.personId,
    score: byDocument && byIdentity ? 1 : byDocument ? 0.99 : 0.95,
    matchedOn,
    features,
    detail: byDocument ? 'document number and issuing state identical' : 'name and date of birth identical under ICAO 9303',
  };
}

export const exactMatcher: Matcher = {
  version: 'exact-icao-1',
  thresholds: { hit: 0.9, refer: 0.9 },
  indexKeys(person) {
    return [nameKey(person.surname, person.givenNames)];
  },
  async match(traveller: Traveller, source: CandidateSource): Promise<PersonMatch[]> {
    const candidates = new Map<string, ListedPerson>();
    if (traveller.documentNumber) {
      for (const p of await source.byDocument(traveller.documentNumber.toUpperCase(), traveller.documentCountry ?? traveller.nationality)) candidates.set(p.personId, p);
    }
    if (traveller.surname && traveller.givenNames) {
      for (const p of await source.byNameKeys([nameKey(traveller.surname, traveller.givenNames)], MAX_CANDIDATES)) candidates.set(p.personId, p);
    }
    return [...candidates.values()]
      .map((p) => score(traveller, p))
      .filter((m): m is PersonMatch => m !== null && m.score >= this.thresholds.refer)
      .sort((a, b) => b.score - a.score);
  },
};
