/**
 * The reverse channel: what came of a `hit` or `refer`, sent from the replica that answered the
 * screening back to the register (through a centre, in tiers). Each outcome is signed by the replica
 * with its audit key (audit/auditKeys.ts), so a relay can carry it but can neither forge nor alter one;
 * the register checks the signature against the keys it trusts *for that replica* (register/replicaKeys).
 *
 * Resumable and idempotent like the feed, in the other direction: each replica numbers its outcomes
 * densely (n = 1, 2, 3, …); the register keeps them by (replica, n) and answers how far it holds them
 * without a gap, and the replica sends again whatever is beyond that. The same signed outcome sent twice
 * is a no-op; another outcome under a number (or a screening) already held is refused.
 *
 * The signed text carries a `kind` of its own, so an outcome can never be mistaken for anything else
 * signed with Ed25519 in erx (audit heads, batches, manifests).
 */
import { canonicalJson } from '../shared/canonical.js';
import type { OutcomeKind } from '../domain/outcomes.js';
import { type PublicKeyInfo, type Signature, type Signer, TrustedKeys, UntrustedKey } from './keys.js';

/** What the officer recorded, and about which screening: signed whole. */
export interface ScreeningOutcome {
  /** The replica that answered the screening: its name at its upstream (its token's subject). */
  replica: string;
  /** This replica's number for the outcome: 1, 2, 3, … without a gap. */
  n: number;
  screeningId: string;
  screenedAt: string;
  decision: 'hit' | 'refer';
  /** The checkpoint whose officer screened and recorded (its token's subject). */
  checkpoint: string;
  outcome: OutcomeKind;
  note?: string;
  recordedAt: string;
  /** The restrictions in force the screening found, and their persons and offices. */
  hits: { personId: string; restrictionId: string; office: string }[];
  /** not-the-listed-person: the confirmed non-match to record (exchange/attestation.ts), details hashed. */
  attestation?: { ref: string; personIds: string[]; salt: string; detailsHash: string };
}

export interface SignedOutcome extends Signature {
  outcome: ScreeningOutcome;
}

const OUTCOME_KIND = 'erx.screening-outcome/1';

/** The exact bytes signed. */
export function outcomeText(o: ScreeningOutcome): Buffer {
  return Buffer.from(canonicalJson({ kind: OUTCOME_KIND, outcome: o }));
}

export function signOutcome(signer: Signer, outcome: ScreeningOutcome): SignedOutcome {
  return { outcome, ...signer.sign(outcomeText(outcome)) };
}

/**
 * Why a signed outcome does not hold against the keys trusted for its replica, or null. A key is
 * judged as of when the outcome was recorded, so one signed before its key retired stays valid.
 */
export function outcomeSignatureProblem(signed: SignedOutcome, keys: TrustedKeys | PublicKeyInfo[]): string | null {
  const trusted = keys instanceof TrustedKeys ? keys : new TrustedKeys(keys);
  try {
    trusted.verify(outcomeText(signed.outcome), signed, new Date(signed.outcome.recordedAt));
    return null;
  } catch (err) {
    if (err instanceof UntrustedKey) return err.message.replace('this replica does not trust', `the register does not trust for replica "${signed.outcome.replica}"`);
    return `signature cannot be checked: ${(err as Error).message}`;
  }
}
