/**
 * The wire protocol between a register and its replicas.
 *
 * The register keeps an ordered change log. Sequence numbers are dense (1, 2, 3, … with no holes) so a
 * replica can tell a gap from a quiet period. Each change carries the *whole* border view of one entity
 * after the change (state transfer, not an operation), which makes applying a change idempotent: a
 * replica that sees the same change twice ends in the same state.
 *
 * Only the border view crosses the exchange: names, date of birth, documents, deferment validity and the
 * restriction's basis and dates, category-wide rules whole (a rule is public law, not personal
 * data), and issuing offices whole (their contact details are what they print on their notices).
 * Sex, evidence references and other register fields stay home.
 */
import { createHash } from 'node:crypto';
import type { Office } from '../domain/offices.js';
import type { CategoryRule } from '../domain/rules.js';
import type { Deferment, IdentityDocument, LiftReason, RestrictionKind } from '../domain/types.js';
import { canonicalJson } from '../shared/canonical.js';
import type { BorderAttestation } from './attestation.js';
import type { HeadClaim } from './headClaim.js';

/**
 * 3: category-wide rules joined persons and restrictions in the change log and the snapshot.
 * 4: pages (and JetStream heartbeats) carry the register's signed head claim (exchange/headClaim.ts);
 *    a replica takes its freshness from that claim only, so a feed without one gives no freshness.
 * 5: offices (contact details for the self-check) joined the change log and the snapshot as entity `office`;
 *    attestations (confirmed non-matches, exchange/attestation.ts) as entity `attestation`, relief while in
 *    force (a revoked one is removed: body null).
 */
export const PROTOCOL_VERSION = 5;

export interface BorderPerson {
  personId: string;
  surname: string;
  givenNames: string;
  patronymic?: string;
  dateOfBirth: string;
  documents: IdentityDocument[];
  deferments: Pick<Deferment, 'kind' | 'category' | 'validFrom' | 'validTo'>[];
}

export interface BorderRestriction {
  restrictionId: string;
  personId: string;
  kind: RestrictionKind;
  basis: string;
  office: string;
  /** When the restriction came into force (its effective service, by the service rules). */
  inForceFrom: string;
  /** After this instant it no longer applies. */
  expiresAt?: string;
  liftedAt?: string;
  liftReason?: LiftReason;
}

/** A category-wide rule travels whole, version and all (domain/rules.ts). */
export type BorderRule = CategoryRule;

/** An issuing office travels whole: public contact details, not personal data (domain/offices.ts). */
export type BorderOffice = Office;
export type { BorderAttestation } from './attestation.js';

export type Change =
  | { seq: number; at: string; entity: 'person'; key: string; body: BorderPerson | null }
  | { seq: number; at: string; entity: 'restriction'; key: string; body: BorderRestriction | null }
  | { seq: number; at: string; entity: 'rule'; key: string; body: BorderRule | null }
  | { seq: number; at: string; entity: 'office'; key: string; body: BorderOffice | null }
  | { seq: number; at: string; entity: 'attestation'; key: string; body: BorderAttestation | null };

export type ChangeEntity = Change['entity'];

/**
 * The unit the register signs: the changes of one register transaction. Batches form a hash chain
 * (`prevHash` is the previous batch's `hash`), so a replica that holds the last hash it applied can tell
 * a reordered, replayed or forged batch from the true next one.
 */
export interface SignedBatch {
  firstSeq: number;
  lastSeq: number;
  prevHash: string;
  committedAt: string;
  changes: Change[];
  /** sha256 (hex) of the canonical JSON of the fields above. */
  hash: string;
  keyId: string;
  /** Ed25519 signature (base64) over the UTF-8 bytes of `hash`. */
  signature: string;
}

export type UnsignedBatch = Pick<SignedBatch, 'firstSeq' | 'lastSeq' | 'prevHash' | 'committedAt' | 'changes'>;

export function batchHash(b: UnsignedBatch): string {
  const { firstSeq, lastSeq, prevHash, committedAt, changes } = b;
  return createHash('sha256').update(canonicalJson({ firstSeq, lastSeq, prevHash, committedAt, changes })).digest('hex');
}

/**
 * Relief: a change that can only make a person freer — a lift, a person's deferments, a revoked rule, a confirmed non-match. Relief travels
 * ahead of everything else (a replica behind the register fetches the relief in its backlog first), so a
 * lawful lift or deferment reaches a checkpoint at least as fast as a ban. A removed record (body null)
 * is never relief, so applying relief early can never resurrect anything.
 */
export function isRelief(c: Change): boolean {
  if (c.body === null) return false;
  if (c.entity === 'restriction') return c.body.liftedAt !== undefined;
  if (c.entity === 'rule') return c.body.revokedAt !== undefined;
  if (c.entity === 'office') return false;
  // A confirmed non-match only ever clears a traveller; its revocation (body null) is not relief.
  if (c.entity === 'attestation') return true;
  return c.body.deferments.length > 0;
}

/** A page of the change feed: whole signed batches, in order, the first one holding `after + 1`. */
export interface ChangeBatch {
  protocol: number;
  after: number;
  batches: SignedBatch[];
  /** The register's newest sequence number when the page was cut. Unsigned: a hint, never freshness. */
  registerSeq: number;
  /** The register's clock when the page was cut (ISO). Unsigned: a hint, never freshness. */
  registerTime: string;
  /**
   * Protocol 4: the register's signed claim about its head when the page was cut (a relay's: the newest
   * register claim it holds, unchanged). The only thing a replica takes its freshness from.
   */
  headClaim?: HeadClaim;
}

/** First line of a snapshot stream. */
export interface SnapshotHeader {
  type: 'header';
  protocol: number;
  /** The snapshot holds the state after every change up to and including this sequence number. */
  asOfSeq: number;
  /** Hash of the batch that ends at `asOfSeq` ('' when the log is empty): where the chain continues. */
  lastHash: string;
  registerTime: string;
  /** How many records follow, for progress display. */
  records: number;
}

/** A snapshot row: the same shape as a change body, keyed by entity. */
export type SnapshotRecord =
  | { type: 'person'; body: BorderPerson }
  | { type: 'restriction'; body: BorderRestriction }
  | { type: 'rule'; body: BorderRule }
  | { type: 'office'; body: BorderOffice }
  | { type: 'attestation'; body: BorderAttestation };

/**
 * Last line of a snapshot stream: the signed manifest. Without it, or if it does not verify, the
 * snapshot is incomplete or forged and is discarded.
 */
export interface SnapshotTrailer {
  type: 'end';
  asOfSeq: number;
  lastHash: string;
  registerTime: string;
  records: number;
  /** sha256 (hex) over `canonicalJson(record) + "\n"` of every record line, in order. */
  digest: string;
  /** The buckets this snapshot is limited to (anti-entropy repair), or null for the whole state. */
  buckets: number[] | null;
  keyId: string;
  signature: string;
}

export type SnapshotLine = SnapshotHeader | SnapshotRecord | SnapshotTrailer;

/** The bytes a snapshot manifest signature covers. */
export function manifestBytes(m: Pick<SnapshotTrailer, 'asOfSeq' | 'lastHash' | 'registerTime' | 'records' | 'digest' | 'buckets'>): Buffer {
  const { asOfSeq, lastHash, registerTime, records, digest, buckets } = m;
  return Buffer.from(canonicalJson({ asOfSeq, lastHash, registerTime, records, digest, buckets }));
}

/** Incremental digest of snapshot records, computed the same way by the register and the replica. */
export function snapshotDigest() {
  const hash = createHash('sha256');
  return {
    add(record: SnapshotRecord) {
      hash.update(canonicalJson(record) + '\n');
    },
    hex: () => hash.digest('hex'),
  };
}

export function borderPersonOf(p: {
  personId: string;
  surname: string;
  givenNames: string;
  patronymic?: string | undefined;
  dateOfBirth: string;
  documents: IdentityDocument[];
  deferments: Deferment[];
}): BorderPerson {
  const view: BorderPerson = {
    personId: p.personId,
    surname: p.surname,
    givenNames: p.givenNames,
    dateOfBirth: p.dateOfBirth,
    documents: p.documents.map((d) => ({ type: d.type, number: d.number, country: d.country })),
    deferments: p.deferments.map((d) => ({ ...(d.kind === 'exemption' ? { kind: d.kind } : {}), category: d.category, validFrom: d.validFrom, validTo: d.validTo })),
  };
  if (p.patronymic) view.patronymic = p.patronymic;
  return view;
}

/** The border sees a restriction only once it is in force (or was, and has been lifted). */
export function borderRestrictionOf(r: {
  restrictionId: string;
  personId: string;
  kind: RestrictionKind;
  basis: string;
  office: string;
  servedAt?: string | undefined;
  inForceFrom?: string | undefined;
  expiresAt?: string | undefined;
  liftedAt?: string | undefined;
  liftReason?: LiftReason | undefined;
}): BorderRestriction | null {
  if (!r.servedAt) return null;
  const view: BorderRestriction = {
    restrictionId: r.restrictionId,
    personId: r.personId,
    kind: r.kind,
    basis: r.basis,
    office: r.office,
    inForceFrom: r.inForceFrom ?? r.servedAt,
  };
  if (r.expiresAt) view.expiresAt = r.expiresAt;
  if (r.liftedAt) {
    view.liftedAt = r.liftedAt;
    if (r.liftReason) view.liftReason = r.liftReason;
  }
  return view;
}
