/** The shapes of erx answers the console shows (see README "HTTP API"; only the fields used here). */
export type Decision = 'clear' | 'refer' | 'hit';

export interface Feature {
  feature: string;
  query: string;
  candidate: string;
  similarity: number;
  detail?: string;
}

export interface Reason {
  restrictionId: string;
  personId: string;
  kind: string;
  basis: string;
  office: string;
  matchedOn: string[];
  score: number;
  detail: string;
  status: 'in-force' | 'deferred' | 'lifted' | 'expired' | 'not-yet-in-force';
  inForceFrom?: string;
  liftedAt?: string;
  expiresAt?: string;
  features?: Feature[];
}

/** A category-wide rule's reason (README "Category-wide rules"). */
export interface RuleReason {
  source: 'rule';
  ruleId: string;
  ruleVersion: number;
  title: string;
  basis: string;
  authority: string;
  status: 'in-scope' | 'scope-unclear' | 'exempt' | 'exemption-unconfirmed' | 'deferment-not-listed';
  detail: string;
  checks: { condition: string; result: 'yes' | 'no' | 'unknown'; detail: string }[];
  exemption?: { personId: string; kind: string; category: string; validFrom: string; validTo: string; score: number };
}

/** The replica cannot vouch for its answer: its data is too old, or its database is damaged (then every answer is a refer). */
export interface StaleReason {
  kind: 'replica-data-too-old' | 'replica-database-damaged';
  detail: string;
  lagSeconds?: number | null;
  maxStalenessSeconds?: number;
}

export interface Traveller {
  surname?: string;
  givenNames?: string;
  dateOfBirth?: string;
  documentNumber?: string;
  nationality?: string;
  documentCountry?: string;
  [k: string]: unknown;
}

export interface Screening {
  decision: Decision;
  reasons: (Reason | RuleReason | StaleReason)[];
  crossingDate?: string;
  timeZone?: string;
  replicaSeq: number;
  registerSeq: number;
  dataAsOf: string | null;
  lagSeconds: number | null;
  screeningId: string;
  screenedAt: string;
  traveller: Traveller;
}

export interface AuditedScreening {
  screeningId: string;
  at: string;
  requester: string;
  request: Traveller;
  decision: string;
  replicaSeq: number;
}

export interface Person {
  personId: string;
  surname: string;
  givenNames: string;
  patronymic?: string;
  dateOfBirth: string;
  sex?: string;
  documents: { type: string; number: string; country: string }[];
  deferments?: { kind?: string; category: string; validFrom: string; validTo: string; evidence?: string; grantedBy?: string; basis?: string }[];
}

export interface Restriction {
  restrictionId: string;
  personId: string;
  kind: string;
  basis: string;
  office: string;
  issuedAt: string;
  servedAt?: string;
  serviceChannel?: string;
  deliveredAt?: string;
  inForceFrom?: string;
  expiresAt?: string;
  reviewAt?: string;
  campaign?: string;
  liftedAt?: string;
  liftReason?: string;
}

/** A person's superseded state, kept by the register when a write replaced it. */
export interface PersonVersion {
  version: number;
  supersededAt: string;
  supersededBy: string;
  person: Person;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: unknown;
}

export const isStale = (r: Reason | RuleReason | StaleReason): r is StaleReason => ['replica-data-too-old', 'replica-database-damaged'].includes((r as StaleReason).kind);
export const isRule = (r: Reason | RuleReason | StaleReason): r is RuleReason => (r as RuleReason).source === 'rule';
