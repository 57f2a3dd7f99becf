/**
 * Confirmed non-matches (attestations): after secondary inspection established that a traveller is
 * not the listed person they were confused with, the register records that the traveller *as
 * presented* — document number, document country, date of birth and name as read — is not that
 * listed person. The attestation travels to every replica as the change entity `attestation`, and
 * screening that same document with the same details answers `clear` for that listed person (decide.ts
 * S8), unless the document number is one of the listed person's own.
 *
 * Least data: the presented details never leave the checkpoint that read them. The replica that
 * recorded the outcome sends only a salted hash of them (sha256 over a random per-attestation salt and
 * the canonical details); every replica recomputes it from the traveller it screens. Why a salt per
 * attestation and not one keyed hash for all: a shared key would have to be on every replica anyway
 * (so it protects nothing there), and one hash per person would let whoever holds a copy link the same
 * traveller across attestations; with a salt each attestation has to be attacked on its own.
 */
import { createHash, randomBytes } from 'node:crypto';
import { canonicalJson } from '../shared/canonical.js';

/** An attestation as it crosses the exchange: what a border needs to recognise the same traveller. */
export interface BorderAttestation {
  /** The reference handed to the person (like a redress number): `NM-2026-7K3QX9M2AB`. */
  ref: string;
  /** The listed persons the traveller was confused with (those the screening referred or hit on). */
  personIds: string[];
  /** base64 of 16 random bytes, this attestation's own. */
  salt: string;
  /** sha256 (hex) of the salt and the canonical presented details (presentedDetailsHash). */
  detailsHash: string;
  /** The checkpoint whose officer confirmed it (its token's subject). */
  checkpoint: string;
  /** When the officer recorded the outcome (ISO). */
  attestedAt: string;
}

/** The traveller as presented: what an attestation binds (all four must be read at the screening). */
export interface PresentedDetails {
  documentNumber: string;
  documentCountry: string;
  dateOfBirth: string;
  /** Surname and given names as read, in that order. */
  name: string;
}

/** Case, spacing and MRZ filler do not make another traveller: the details are compared in one form. */
function normalised(d: PresentedDetails): PresentedDetails {
  const text = (s: string) => s.normalize('NFKC').toUpperCase().replace(/[<\s]+/g, ' ').trim();
  return { documentNumber: text(d.documentNumber).replace(/ /g, ''), documentCountry: text(d.documentCountry), dateOfBirth: d.dateOfBirth.trim(), name: text(d.name) };
}

export function presentedDetailsHash(salt: string, details: PresentedDetails): string {
  return createHash('sha256').update(salt).update('\n').update(canonicalJson(normalised(details))).digest('hex');
}

/** The presented details of a traveller read at a screening, or null when one of the four is missing. */
export function presentedDetailsOf(t: { documentNumber?: string | undefined; documentCountry?: string | undefined; nationality?: string | undefined; dateOfBirth?: string | undefined; surname?: string | undefined; givenNames?: string | undefined }): PresentedDetails | null {
  const documentCountry = t.documentCountry ?? t.nationality;
  if (!t.documentNumber || !documentCountry || !t.dateOfBirth || !t.surname) return null;
  return { documentNumber: t.documentNumber, documentCountry, dateOfBirth: t.dateOfBirth, name: `${t.surname} ${t.givenNames ?? ''}` };
}

export function newSalt(): string {
  return randomBytes(16).toString('base64');
}

/** Crockford's base32: no I, L, O, U, so a reference read aloud or copied by hand is not mistaken. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new reference, made where the outcome is recorded (a checkpoint may be offline, so no central
 * counter): 50 random bits, unguessable, since together with the details it is what the self-check accepts.
 */
export function newReference(at: Date): string {
  const bytes = randomBytes(10);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `NM-${at.getUTCFullYear()}-${out}`;
}

export const REFERENCE_PATTERN = /^NM-\d{4}-[0-9A-HJKMNP-TV-Z]{10}$/;

/** Whether `attestation` is about exactly these presented details. */
export function attests(attestation: Pick<BorderAttestation, 'salt' | 'detailsHash'>, details: PresentedDetails): boolean {
  return presentedDetailsHash(attestation.salt, details) === attestation.detailsHash;
}
