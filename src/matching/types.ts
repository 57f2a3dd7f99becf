/**
 * The matcher's contract with the border. The border hands it a traveller and a way to fetch
 * candidates by key; the matcher decides which listed persons the traveller may be, and explains why.
 * Nothing here knows about restrictions, storage or HTTP.
 */

/** A person as the border replica holds them (names in the register's script). */
export interface ListedPerson {
  personId: string;
  surname: string;
  givenNames: string;
  patronymic?: string;
  /** ISO date, possibly partial (`1999`, `1999-03`). */
  dateOfBirth: string;
  documents: { type: string; number: string; country: string }[];
}

/** What a checkpoint knows about a traveller (typed by an officer or read from an MRZ), in Latin script. */
export interface Traveller {
  surname?: string;
  givenNames?: string;
  /** ISO date `YYYY-MM-DD`, possibly partial. */
  dateOfBirth?: string;
  documentNumber?: string;
  /** Issuing state of the document (ICAO code); for typed input, the nationality stands in for it. */
  documentCountry?: string;
  nationality?: string;
  /** M, F, or X/unknown (category-wide rules use it; the matcher does not). */
  sex?: string;
  /**
   * The name came from a full MRZ name field (39 characters in a passport, 30 or 31 in an identity
   * card) and its last word may be cut short: it is compared with the start of the listed name.
   */
  nameTruncated?: boolean;
}

export type MatchedField = 'documentNumber' | 'name' | 'dateOfBirth';

/** One compared feature, readable by an officer or an auditor. */
export interface Feature {
  feature: 'documentNumber' | 'surname' | 'givenNames' | 'patronymic' | 'dateOfBirth';
  /** What the traveller gave, and the comparable form it was read as. */
  query: string;
  /** What the register holds, and the reading of it that compared best (with its scheme). */
  candidate: string;
  /** 0 (nothing alike) … 1 (identical). */
  similarity: number;
  detail: string;
  /** What this feature did to the score, in words ("sets the name score", "−0.10", "caps at 0.60"). */
  effect?: string;
}

export interface PersonMatch {
  personId: string;
  /** 0 … 1; the decision thresholds apply to it. */
  score: number;
  matchedOn: MatchedField[];
  features: Feature[];
  detail: string;
}

/** Where candidates come from; implementations answer from an index, never a scan. */
export interface CandidateSource {
  byDocument(number: string, country?: string): Promise<ListedPerson[]>;
  byNameKeys(keys: string[], limit: number): Promise<ListedPerson[]>;
}

export interface MatchThresholds {
  /** A score at or above it is a match strong enough to stop the traveller. */
  hit: number;
  /** A score at or above it (and below `hit`) sends the traveller to secondary inspection. */
  refer: number;
}

export interface Matcher {
  /** Changes whenever `indexKeys` would produce other keys, so replicas rebuild their name index. */
  readonly version: string;
  indexKeys(person: ListedPerson): string[];
  /** Candidates scored at or above `thresholds.refer`, best first. */
  match(traveller: Traveller, source: CandidateSource): Promise<PersonMatch[]>;
  readonly thresholds: MatchThresholds;
}
