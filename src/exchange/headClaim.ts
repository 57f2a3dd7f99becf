/**
 * The register's signed word about its own head: "at `registerTime` my newest change was
 * `registerSeq`, and the batch ending there has the chain hash `headHash`".
 *
 * Why it exists: a replica's idea of how current it is used to come from the unsigned `registerSeq` /
 * `registerTime` of a page or a heartbeat, so anything between the register and the replica (a relay,
 * a proxy, a stream) could withhold new batches while saying "you are current", and a replica would
 * screen travellers `clear` on data missing every ban since. A claim is signed by the register's
 * batch-signing key, so only the register can make a newer one; a relay passes the newest it holds,
 * unchanged, and a replica verifies it against its trusted keys like a batch. A replica that has
 * applied everything up to `registerSeq` (and whose chain has `headHash` there) holds every change
 * the register had committed at `registerTime` — that, and only that, is what its freshness rests on
 * (border/freshness.ts).
 *
 * Order matters when making one: the register's clock is read *before* its head, so a change
 * committed before `registerTime` is always at or below `registerSeq` (a commit in between only makes
 * the claim more conservative).
 */
import { canonicalJson } from '../shared/canonical.js';
import type { Signer, TrustedKeys } from './keys.js';
import type { SignedBatch } from './protocol.js';
import { BatchRejected, checkSignature } from './verify.js';

export interface HeadClaim {
  /** The register's newest sequence number at `registerTime`. */
  registerSeq: number;
  /** Hash of the batch ending at `registerSeq` ('' when the log is empty): where it sits in the chain. */
  headHash: string;
  /** The register's clock when the claim was made (ISO), read before the head. */
  registerTime: string;
  keyId: string;
  /** Ed25519 signature (base64) over `headClaimBytes(this)`. */
  signature: string;
}

export type UnsignedHeadClaim = Pick<HeadClaim, 'registerSeq' | 'headHash' | 'registerTime'>;

/**
 * The bytes a claim's signature covers. The `claim` tag keeps them apart from what the same key signs
 * elsewhere (a batch's hash, a snapshot or image manifest), so no signature can be passed off as another.
 */
export function headClaimBytes(c: UnsignedHeadClaim): Buffer {
  return Buffer.from(canonicalJson({ claim: 'erx-register-head', registerSeq: c.registerSeq, headHash: c.headHash, registerTime: c.registerTime }));
}

export function signHeadClaim(c: UnsignedHeadClaim, signer: Signer): HeadClaim {
  const fields = { registerSeq: c.registerSeq, headHash: c.headHash, registerTime: c.registerTime };
  return { ...fields, ...signer.sign(headClaimBytes(fields)) };
}

/** Checks shape first, then the signature; returns the claim reduced to its signed fields. */
export function verifyHeadClaim(claim: unknown, keys: TrustedKeys): HeadClaim {
  const c = claim as Partial<HeadClaim> | null;
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.registerSeq !== 'number' ||
    !Number.isSafeInteger(c.registerSeq) ||
    c.registerSeq < 0 ||
    typeof c.headHash !== 'string' ||
    typeof c.registerTime !== 'string' ||
    Number.isNaN(Date.parse(c.registerTime))
  ) {
    throw new BatchRejected('tampered', 'the head claim is not well formed (registerSeq, headHash, registerTime)');
  }
  const fields = { registerSeq: c.registerSeq, headHash: c.headHash, registerTime: c.registerTime };
  checkSignature(keys, headClaimBytes(fields), c, `head claim ${c.registerSeq} at ${c.registerTime}`);
  return { ...fields, keyId: c.keyId!, signature: c.signature! };
}

/** What the register reads to make a claim: its head, and the batch ending there. */
export interface HeadSource {
  headSeq(): Promise<number>;
  batchesAfter(after: number, maxChanges: number): Promise<SignedBatch[]>;
}

/**
 * The register's claim maker: a fresh claim on every call (a signature costs tens of microseconds),
 * reading the head's hash only when the head moved. Null when the head's batch cannot be read (it was
 * compacted in a race with a newer commit): that answer then goes without a claim, which only makes the
 * replica less sure of itself, never more.
 */
export function headClaimer(source: HeadSource, signer: Signer): () => Promise<HeadClaim | null> {
  let known: { seq: number; hash: string } = { seq: 0, hash: '' };
  return async () => {
    const registerTime = new Date().toISOString();
    const registerSeq = await source.headSeq();
    if (registerSeq !== known.seq) {
      const [batch] = await source.batchesAfter(registerSeq - 1, 1);
      if (!batch || batch.lastSeq !== registerSeq) return null;
      known = { seq: registerSeq, hash: batch.hash };
    }
    return signHeadClaim({ registerSeq, headHash: known.hash, registerTime }, signer);
  };
}

/** The newer of two claims (by register time, then sequence number); a relay keeps the newest it heard. */
export function newerClaim<T extends Pick<HeadClaim, 'registerSeq' | 'registerTime'>>(a: T | null, b: T | null): T | null {
  if (!a || !b) return a ?? b;
  const ta = Date.parse(a.registerTime);
  const tb = Date.parse(b.registerTime);
  if (ta !== tb) return ta > tb ? a : b;
  return a.registerSeq >= b.registerSeq ? a : b;
}
